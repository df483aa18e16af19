import type { Frequency } from "../config/index.ts";

const MS_PER_DAY = 86_400_000;
const DAYS_PER_YEAR = 365.2425;

/** Sine and cosine pairs of the position in the year: smooth yearly seasonality that a short window cannot see. */
const YEAR_HARMONICS = 3;

/**
 * The calendar features of a period by its first day. Day of week as six 0/1 flags (Sunday is the base) for
 * daily data, where weekday effects are sharp; month as eleven flags (January the base) for monthly data; and
 * for every frequency the position in the year as YEAR_HARMONICS sine/cosine pairs. The linear member decides
 * on its validation windows whether they are used at all.
 */
export function calendarNames(frequency: Frequency): string[] {
  const year = Array.from({ length: YEAR_HARMONICS }, (_, k) => [
    `year_sin${k + 1}`,
    `year_cos${k + 1}`,
  ]).flat();
  if (frequency === "D")
    return [...["mon", "tue", "wed", "thu", "fri", "sat"].map((d) => `dow_${d}`), ...year];
  if (frequency === "M") return [...Array.from({ length: 11 }, (_, m) => `month_${m + 2}`), ...year];
  return year;
}

/** Writes calendarNames(frequency).length values for the period starting on `day` (days since 1970). */
export function writeCalendar(day: number, frequency: Frequency, out: Float32Array, offset: number): void {
  const date = new Date(day * MS_PER_DAY);
  let i = offset;
  if (frequency === "D") {
    const weekday = date.getUTCDay(); // 0 = Sunday
    for (let d = 1; d <= 6; d++) out[i++] = weekday === d ? 1 : 0;
  } else if (frequency === "M") {
    const month = date.getUTCMonth();
    for (let m = 1; m <= 11; m++) out[i++] = month === m ? 1 : 0;
  }
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1) / MS_PER_DAY;
  const phase = (2 * Math.PI * (day - yearStart)) / DAYS_PER_YEAR;
  for (let k = 1; k <= YEAR_HARMONICS; k++) {
    out[i++] = Math.sin(k * phase);
    out[i++] = Math.cos(k * phase);
  }
}
