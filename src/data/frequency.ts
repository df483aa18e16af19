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
export function inferFrequency(daysBySeries: Iterable<ArrayLike<number>>, source: string): Frequency {
  const gap = medianGap(daysBySeries);
  if (gap === undefined) {
    throw new DataError(
      `${source}: cannot infer the frequency: no series has two distinct dates; set data.frequency`,
    );
  }
  const frequency = frequencyOfGap(gap);
  if (frequency) return frequency;
  throw new DataError(
    `${source}: cannot infer the frequency: the median gap between consecutive dates is ${gap} days ` +
      "(D needs about 1, W about 7, M 28 to 31); set data.frequency to D, W or M",
  );
}

export interface ResolvedFrequency {
  /** The frequency the series are built at: the declared one, or the dates' own under auto. */
  frequency: Frequency;
  /** What the dates say, when their median gap reads as D, W or M. */
  dates: Frequency | undefined;
}

const NAMES: Record<Frequency, string> = { D: "daily", W: "weekly", M: "monthly" };
const ORDER: Frequency[] = ["D", "W", "M"];

/** True when periods of `a` are longer than periods of `b` (M > W > D). */
export function isCoarser(a: Frequency, b: Frequency): boolean {
  return ORDER.indexOf(a) > ORDER.indexOf(b);
}

/**
 * `auto` infers the frequency. A declared one may be coarser than the dates (daily rows summed per week),
 * never finer: weekly dates read as daily would make six zero days of every week. Dates whose gap reads as no
 * frequency (sparse sales) leave a declared frequency as it is.
 */
export function resolveFrequency(
  declared: Frequency | "auto",
  daysBySeries: readonly ArrayLike<number>[],
  source: string,
): ResolvedFrequency {
  if (declared === "auto") {
    const frequency = inferFrequency(daysBySeries, source);
    return { frequency, dates: frequency };
  }
  const gap = medianGap(daysBySeries);
  const dates = gap === undefined ? undefined : frequencyOfGap(gap);
  if (dates && isCoarser(dates, declared)) {
    const allowed = ORDER.filter((f) => !isCoarser(dates, f)).join(", ");
    throw new DataError(
      `${source}: data.frequency is ${declared} (${NAMES[declared]}), but the dates are ${NAMES[dates]} ` +
        `(median gap of ${gap} days between consecutive dates); set data.frequency to ${allowed} or auto`,
    );
  }
  return { frequency: declared, dates };
}

/**
 * The median gap between consecutive distinct dates, pooled over series; undefined without any gap.
 * Gaps are whole days, so a count per gap length stands in for the list of every gap.
 */
function medianGap(daysBySeries: Iterable<ArrayLike<number>>): number | undefined {
  const countOf = new Map<number, number>();
  let total = 0;
  for (const days of daysBySeries) {
    const sorted = Float64Array.from(days).sort();
    for (let i = 1; i < sorted.length; i++) {
      const gap = sorted[i] - sorted[i - 1];
      if (gap === 0) continue;
      countOf.set(gap, (countOf.get(gap) ?? 0) + 1);
      total++;
    }
  }
  if (total === 0) return undefined;
  const lengths = [...countOf.keys()].sort((a, b) => a - b);
  return (gapAtRank(lengths, countOf, (total - 1) >> 1) + gapAtRank(lengths, countOf, total >> 1)) / 2;
}

/** The gap at 0-based `rank` among all gaps in ascending order. */
function gapAtRank(lengths: readonly number[], countOf: ReadonlyMap<number, number>, rank: number): number {
  let seen = 0;
  for (const length of lengths) {
    seen += countOf.get(length) as number;
    if (rank < seen) return length;
  }
  return lengths[lengths.length - 1];
}

function frequencyOfGap(gap: number): Frequency | undefined {
  if (gap <= 1.5) return "D";
  if (gap >= 6 && gap <= 8) return "W";
  if (gap >= 28 && gap <= 31) return "M";
  return undefined;
}
