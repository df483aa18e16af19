import {
  averageIntervalMetrics,
  bandAround,
  conformalScores,
  type IntervalMetrics,
  intervalMetrics,
  levelKey,
  seriesQuantiles,
} from "../intervals/index.ts";
import { largest } from "./extremes.ts";

/**
 * Interval scores of one forecaster's cross-validation forecasts, each origin's bands calibrated on the
 * scores of every other origin (leave one origin out, as cross-conformal prediction does), so no band is
 * widened by the error it is scored on; pooled per series over its origins, averaged over series. NaN
 * entries where a series has no origin, or no other origin calibrates it.
 */
export function crossValidatedIntervals(
  actuals: readonly (readonly Float64Array[])[],
  forecasts: readonly (readonly Float64Array[])[],
  originScales: readonly (readonly number[])[],
  maseScales: readonly number[],
  levels: readonly number[],
  horizon: number,
  clipNegative: boolean,
): IntervalMetrics {
  const ranks = largest(
    actuals.map((list) => list.length),
    0,
  );
  const bySeries = actuals.map(() => ({
    actual: [] as number[],
    point: [] as number[],
    bands: bandLists(levels),
  }));
  for (let rank = 0; rank < ranks; rank++) {
    const keep = (list: readonly unknown[]) =>
      list.map((_, k) => k).filter((k) => k !== list.length - 1 - rank);
    const scores = conformalScores(
      actuals.map((list) => keep(list).map((k) => list[k])),
      forecasts.map((list, s) => keep(actuals[s]).map((k) => list[k])),
      originScales.map((list, s) => keep(actuals[s]).map((k) => list[k])),
      horizon,
    );
    if (scores.pooled.every((step) => step.length === 0)) continue;
    actuals.forEach((list, s) => {
      const k = list.length - 1 - rank;
      if (k < 0) return;
      const target = bySeries[s];
      target.actual.push(...list[k]);
      target.point.push(...forecasts[s][k]);
      for (const level of levels) {
        const band = bandAround(
          forecasts[s][k],
          seriesQuantiles(scores, scores.series[s], level),
          originScales[s][k],
          clipNegative,
        );
        target.bands[levelKey(level)].lower.push(...band.lower);
        target.bands[levelKey(level)].upper.push(...band.upper);
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

function bandLists(levels: readonly number[]) {
  return Object.fromEntries(
    levels.map((level) => [levelKey(level), { lower: [] as number[], upper: [] as number[] }]),
  );
}
