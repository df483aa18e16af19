import { formatIsoDay } from "./dates.ts";
import { periodIndex, periodStartDay } from "./frequency.ts";
import type { SeriesObservations } from "./ingest.ts";
import type { Frequency, Series } from "./types.ts";

/**
 * Which days a series covers. `shared`: the whole file's first to last day, for every series (transactions:
 * the file is one observation period, so a category without a sale on a day sold 0 that day). `own`: the
 * series' own first to last day (long format: a store appearing later did not exist before its first row).
 */
export type Calendar = "shared" | "own";

/**
 * Sums the observations of each series per period into a regular series; periods without a row are 0.
 * Periods are anchored at the first day of the calendar, so weekly data keep their observed weekday.
 * Returned sorted by id.
 */
export function toRegularSeries(
  bySeries: ReadonlyMap<string, SeriesObservations>,
  frequency: Frequency,
  calendar: Calendar,
): Series[] {
  const file = dayRange([...bySeries.values()].flatMap(({ days }) => dayRange(days)));
  return [...bySeries.keys()].sort(compareIds).map((id) => {
    const { days, values } = bySeries.get(id) as SeriesObservations;
    const [start, end] = calendar === "shared" ? file : dayRange(days);
    const length = periodIndex(end, frequency, start) + 1;
    const sums = new Float64Array(length);
    for (let i = 0; i < days.length; i++) sums[periodIndex(days[i], frequency, start)] += values[i];
    return { id, frequency, start: formatIsoDay(periodStartDay(0, frequency, start)), values: sums };
  });
}

/** [first, last] day; a loop, since spreading a long array into Math.min can overflow the stack. */
export function dayRange(days: ArrayLike<number> & Iterable<number>): [number, number] {
  let first = days[0];
  let last = days[0];
  for (const day of days) {
    if (day < first) first = day;
    if (day > last) last = day;
  }
  return [first, last];
}

// Code-unit order: the same on every machine and locale
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
