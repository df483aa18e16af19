import { dayRange } from "./aggregate.ts";
import { formatIsoDay } from "./dates.ts";
import { DataError } from "./errors.ts";
import { periodIndex, periodStartDay } from "./frequency.ts";
import type { SeriesObservations } from "./ingest.ts";
import type { Frequency } from "./types.ts";

/** What a period without a row in a long file becomes. */
export type FillMissing = "zero" | "linear" | "error";

const UNITS: Record<Frequency, string> = { D: "day", W: "week", M: "month" };

/**
 * A long file has one row per series and period, so a period of a series' own span without a row is missing
 * data, not a period without sales. Each series with such gaps gets one warning (its count and first missing
 * date) and a row per missing period: 0, or the line between its neighbours; `error` refuses the file.
 * Periods are those of the dates' own frequency, so gaps are found before any aggregation to a coarser one.
 */
export function fillGaps(
  bySeries: ReadonlyMap<string, SeriesObservations>,
  frequency: Frequency,
  policy: FillMissing,
  file: string,
): { bySeries: Map<string, SeriesObservations>; warnings: string[] } {
  const filled = new Map<string, SeriesObservations>();
  const warnings: string[] = [];
  for (const [id, observations] of bySeries) {
    const { start, sums, missing } = periodsOf(observations, frequency);
    if (missing.length === 0) {
      filled.set(id, observations);
      continue;
    }
    const gap =
      `${missing.length} missing ${UNITS[frequency]}${missing.length === 1 ? "" : "s"} ` +
      `(first ${formatIsoDay(periodStartDay(missing[0], frequency, start))})`;
    if (policy === "error") {
      throw new DataError(
        `${file}: series "${id}" has ${gap}: the long format needs a row per series and period ` +
          "(data.fill_missing: error; zero or linear fill them)",
      );
    }
    const fillValue = policy === "linear" ? linearFill(sums, missing) : () => 0;
    filled.set(id, {
      days: [...observations.days, ...missing.map((k) => periodStartDay(k, frequency, start))],
      values: [...observations.values, ...missing.map(fillValue)],
    });
    const how = policy === "linear" ? "by linear interpolation" : "with 0";
    warnings.push(`series "${id}" has ${gap} in ${file}; filled ${how} (data.fill_missing: ${policy})`);
  }
  return { bySeries: filled, warnings };
}

/** Per period of the series' own span, anchored at its first day: the sum of its rows and which have none. */
function periodsOf(
  { days, values }: SeriesObservations,
  frequency: Frequency,
): { start: number; sums: Float64Array; missing: number[] } {
  const [start, end] = dayRange(days);
  const length = periodIndex(end, frequency, start) + 1;
  const sums = new Float64Array(length);
  const seen = new Uint8Array(length);
  for (let i = 0; i < days.length; i++) {
    const k = periodIndex(days[i], frequency, start);
    sums[k] += values[i];
    seen[k] = 1;
  }
  const missing: number[] = [];
  for (let k = 0; k < length; k++) if (seen[k] === 0) missing.push(k);
  return { start, sums, missing };
}

/** The value at missing period k on the line between the nearest periods with rows, one on each side. */
function linearFill(sums: Float64Array, missing: readonly number[]): (k: number) => number {
  const isMissing = new Set(missing);
  return (k) => {
    let before = k - 1;
    while (isMissing.has(before)) before--;
    let after = k + 1;
    while (isMissing.has(after)) after++;
    // a span runs from its first row to its last, so both neighbours exist
    return sums[before] + ((sums[after] - sums[before]) * (k - before)) / (after - before);
  };
}
