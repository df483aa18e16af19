import type { Frequency } from "../api/types.ts";

const MS_PER_DAY = 86_400_000;

/** Seconds since 1970 at midnight UTC of an ISO `YYYY-MM-DD` day: the x values of the charts. */
export function dayToSeconds(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / 1000;
}

/** The ISO day `count` periods after `date` (M: the first of that month), as the server dates periods. */
export function addPeriods(date: string, frequency: Frequency, count: number): string {
  const day = new Date(`${date}T00:00:00Z`);
  if (frequency === "M")
    return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth() + count, 1)).toISOString().slice(0, 10);
  const step = frequency === "W" ? 7 : 1;
  return new Date(day.getTime() + count * step * MS_PER_DAY).toISOString().slice(0, 10);
}
