import type { Frequency } from "../config/index.ts";
import { parseIsoDay } from "../data/dates.ts";
import { periodStartDay } from "../data/frequency.ts";
import { periodDates, type Series } from "../data/index.ts";
import { holidayDays } from "../features/index.ts";
import { seasonalNaiveScale } from "../metrics/index.ts";

export interface HolidayErrors {
  country: string;
  /** Holdout points (over all series) whose period holds a public holiday. */
  points: number;
  /** Per forecast: MAE on those points divided by the series' MASE scale, averaged over series (a MASE). */
  mase: Record<string, number>;
}

/**
 * The error of each forecast on the holdout periods that hold a public holiday of `country` alone: the
 * periods where calendars and covariates should earn their keep.
 */
export function holidayPeriodErrors(
  country: string,
  splits: readonly { fit: Series; test: Series }[],
  frequency: Frequency,
  season: number,
  forecasts: Record<string, readonly Float64Array[]>,
): HolidayErrors {
  const years = splits.flatMap(({ test }) => periodDates(test).map((d) => Number(d.slice(0, 4))));
  const holidays = holidayDays({ country, types: ["public"] }, Math.min(...years), Math.max(...years) + 1);
  const holds = (date: string) => {
    const start = parseIsoDay(date) as number;
    const end = periodStartDay(1, frequency, start);
    return holidays.some((h) => h >= start && h < end);
  };
  let points = 0;
  const sums: Record<string, number[]> = Object.fromEntries(Object.keys(forecasts).map((k) => [k, []]));
  splits.forEach(({ fit, test }, s) => {
    const scale = seasonalNaiveScale(fit.values, season);
    const at = periodDates(test)
      .map((d, i) => (holds(d) ? i : -1))
      .filter((i) => i >= 0);
    points += at.length;
    if (at.length === 0 || !(scale > 0)) return;
    for (const [name, list] of Object.entries(forecasts)) {
      const mae = at.reduce((t, i) => t + Math.abs(test.values[i] - list[s][i]), 0) / at.length;
      sums[name].push(mae / scale);
    }
  });
  const mase = Object.fromEntries(
    Object.entries(sums).map(([name, v]) => [
      name,
      v.length ? v.reduce((a, b) => a + b, 0) / v.length : Number.NaN,
    ]),
  );
  return { country, points, mase };
}
