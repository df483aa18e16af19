import { coverage, msis, pinball } from "../metrics/intervals.ts";
import type { Band } from "./conformal.ts";
import { levelKey } from "./levels.ts";

/** Interval scores of one series: `coverage_L` and `msis_L` per level, and `pinball`. */
export type IntervalMetrics = Record<string, number>;

/**
 * Scores one series' bands (`bands[levelKey(L)]`) against its actual values: coverage and MSIS per level, and
 * the pinball loss averaged over the levels' bounds as quantiles and the point as the median, divided by
 * `scale` (the MASE scale) so it averages over series.
 */
export function intervalMetrics(
  actual: ArrayLike<number>,
  point: ArrayLike<number>,
  bands: Readonly<Record<string, Band>>,
  levels: readonly number[],
  scale: number,
): IntervalMetrics {
  const out: IntervalMetrics = {};
  const losses: number[] = [pinball(actual, point, 0.5)];
  for (const level of levels) {
    const band = bands[levelKey(level)];
    const alpha = 1 - level / 100;
    out[`coverage_${levelKey(level)}`] = coverage(actual, band.lower, band.upper);
    out[`msis_${levelKey(level)}`] = msis(actual, band.lower, band.upper, level, scale);
    losses.push(pinball(actual, band.lower, alpha / 2), pinball(actual, band.upper, 1 - alpha / 2));
  }
  out.pinball = scale > 0 ? losses.reduce((a, b) => a + b, 0) / losses.length / scale : Number.NaN;
  return out;
}

/** Unweighted mean of each key over series; non-finite entries are left out, as MASE's are. */
export function averageIntervalMetrics(perSeries: readonly IntervalMetrics[]): IntervalMetrics {
  const keys = [...new Set(perSeries.flatMap((m) => Object.keys(m)))];
  return Object.fromEntries(
    keys.map((key) => {
      const values = perSeries.map((m) => m[key]).filter((v) => Number.isFinite(v));
      return [key, values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length];
    }),
  );
}
