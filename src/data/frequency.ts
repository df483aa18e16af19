import { firstDayOfMonth, formatIsoDay, monthOfDay, parseIsoDay } from "./dates.ts";
import { DataError } from "./errors.ts";
import type { Frequency } from "./types.ts";

/**
 * Periods are counted from an anchor day: D = one day, W = 7 days starting on the anchor's weekday (so weekly
 * data keep their observed weekday), M = calendar months, each keyed by its first day.
 */
export function periodIndex(day: number, frequency: Frequency, anchorDay: number): number {
  switch (frequency) {
    case "D":
      return day - anchorDay;
    case "W":
      return Math.floor((day - anchorDay) / 7);
    case "M":
      return monthOfDay(day) - monthOfDay(anchorDay);
  }
}

/** The first day of period `index` counted from `anchorDay`. */
export function periodStartDay(index: number, frequency: Frequency, anchorDay: number): number {
  switch (frequency) {
    case "D":
      return anchorDay + index;
    case "W":
      return anchorDay + 7 * index;
    case "M":
      return firstDayOfMonth(monthOfDay(anchorDay) + index);
  }
}

/** The ISO date `count` periods after `date` (for M: the first day of that month), e.g. to date forecasts. */
export function addPeriods(date: string, frequency: Frequency, count: number): string {
  const day = parseIsoDay(date);
  if (day === undefined) throw new DataError(`cannot add periods to "${date}": not an ISO date YYYY-MM-DD`);
  return formatIsoDay(periodStartDay(count, frequency, day));
}

/**
 * Reads the frequency from the median gap, in days, between consecutive distinct dates of each series (gaps of
 * all series pooled): about 1 -> D, about 7 -> W, 28 to 31 -> M. The median ignores a few missing periods.
 */
export function inferFrequency(daysBySeries: Iterable<readonly number[]>, source: string): Frequency {
  const gaps: number[] = [];
  for (const days of daysBySeries) {
    const distinct = [...new Set(days)].sort((a, b) => a - b);
    for (let i = 1; i < distinct.length; i++) gaps.push(distinct[i] - distinct[i - 1]);
  }
  if (gaps.length === 0) {
    throw new DataError(
      `${source}: cannot infer the frequency: no series has two distinct dates; set data.frequency`,
    );
  }
  const gap = median(gaps);
  if (gap <= 1.5) return "D";
  if (gap >= 6 && gap <= 8) return "W";
  if (gap >= 28 && gap <= 31) return "M";
  throw new DataError(
    `${source}: cannot infer the frequency: the median gap between consecutive dates is ${gap} days ` +
      "(D needs about 1, W about 7, M 28 to 31); set data.frequency to D, W or M",
  );
}

function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
