import {
  averageIntervalMetrics,
  type Band,
  bandAround,
  conformalScores,
  type IntervalMetrics,
  intervalMetrics,
  levelKey,
  seriesQuantiles,
} from "../intervals/index.ts";
import { largest } from "./extremes.ts";

/** Each series' list without the origin left out (its `rank`-th from last). */
export type OtherOrigins = <T>(lists: readonly (readonly T[])[]) => T[][];

/** A band per level name for series `s` at origin `k`. */
export type BandsAt = (s: number, k: number) => Record<string, Band>;

/**
 * Interval scores of bands at the cross-validation origins, each origin's bands calibrated on every other
 * origin (leave one origin out, as cross-conformal prediction does), so no band is widened by the error it is
 * scored on: for each rank from the last origin back, `calibrate` gets the other origins and gives the bands
 * at the one left out (null when the others calibrate nothing). Pooled per series over its origins, averaged
 * over series; NaN entries where a series has no origin, or no other origin calibrates it.
 */
export function crossValidatedBands(
  actuals: readonly (readonly Float64Array[])[],
  forecasts: readonly (readonly Float64Array[])[],
  maseScales: readonly number[],
  levels: readonly number[],
  calibrate: (others: OtherOrigins) => BandsAt | null,
): IntervalMetrics {
  const ranks = largest(
    actuals.map((list) => list.length),
    0,
  );
  const bySeries = actuals.map(() => ({
    actual: [] as number[],
    point: [] as number[],
    bands: Object.fromEntries(levels.map((level) => [levelKey(level), { lower: [], upper: [] } as Band])),
  }));
  for (let rank = 0; rank < ranks; rank++) {
    const others: OtherOrigins = (lists) =>
      lists.map((list, s) => list.filter((_, k) => k !== actuals[s].length - 1 - rank));
    const bandsAt = calibrate(others);
    if (bandsAt === null) continue;
    actuals.forEach((list, s) => {
      const k = list.length - 1 - rank;
      if (k < 0) return;
      const target = bySeries[s];
      target.actual.push(...list[k]);
      target.point.push(...forecasts[s][k]);
      const bands = bandsAt(s, k);
      for (const level of levels) {
        const key = levelKey(level);
        target.bands[key].lower.push(...bands[key].lower);
        target.bands[key].upper.push(...bands[key].upper);
      }
    });
  }
  return averageIntervalMetrics(
    bySeries
      .map((one, s) => ({ ...one, scale: maseScales[s] }))
      .filter((one) => one.actual.length > 0)
      .map((one) => intervalMetrics(one.actual, one.point, one.bands, levels, one.scale)),
  );
}

/** Cross-validated scores (crossValidatedBands) of one forecaster's conformal intervals. */
export function crossValidatedIntervals(
  actuals: readonly (readonly Float64Array[])[],
  forecasts: readonly (readonly Float64Array[])[],
  originScales: readonly (readonly number[])[],
  maseScales: readonly number[],
  levels: readonly number[],
  horizon: number,
  clipNegative: boolean,
): IntervalMetrics {
  return crossValidatedBands(actuals, forecasts, maseScales, levels, (others) => {
    const scores = conformalScores(others(actuals), others(forecasts), others(originScales), horizon);
    if (scores.pooled.every((step) => step.length === 0)) return null;
    return (s, k) =>
      Object.fromEntries(
        levels.map((level) => [
          levelKey(level),
          bandAround(
            forecasts[s][k],
            seriesQuantiles(scores, scores.series[s], level),
            originScales[s][k],
            clipNegative,
          ),
        ]),
      );
  });
}
