import { formatIsoDay, parseIsoDay } from "./dates.ts";
import { DataError } from "./errors.ts";
import { periodStartDay } from "./frequency.ts";
import type { Series } from "./types.ts";

type Dated = Pick<Series, "start" | "frequency">;

function startDay(series: Dated): number {
  const day = parseIsoDay(series.start);
  if (day === undefined) throw new DataError(`series start "${series.start}" is not an ISO date YYYY-MM-DD`);
  return day;
}

/** The ISO first day of period `index` of a series. */
export function periodDate(series: Dated, index: number): string {
  return formatIsoDay(periodStartDay(index, series.frequency, startDay(series)));
}

/** The ISO first days of periods `[from, to)` of a series, the start parsed once. */
export function periodDates(
  series: Dated & Pick<Series, "values">,
  from = 0,
  to = series.values.length,
): string[] {
  const first = startDay(series);
  return Array.from({ length: Math.max(0, to - from) }, (_, k) =>
    formatIsoDay(periodStartDay(from + k, series.frequency, first)),
  );
}

/** The ISO first day of a series' last period. */
export function lastPeriodDate(series: Dated & Pick<Series, "values">): string {
  return periodDate(series, series.values.length - 1);
}
