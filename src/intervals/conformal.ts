/**
 * Split-conformal intervals from rolling-origin cross-validation: a forecaster's absolute errors at the
 * origins of the fitting part, each divided by a scale of the history before its origin, give scores per
 * horizon step; the interval at level L is the forecast ± the scores' conformal quantile at L times the scale
 * of the history being forecast. The quantile is pooled over the series per step, and scaled per series by
 * how its own scores compare with the pool's, shrunk toward the pool when it has few (see `seriesQuantiles`).
 */

import { seasonalNaiveScale } from "../metrics/index.ts";

/**
 * The scale of a history that scores and widths are measured in: the MASE scale (the seasonal naive's
 * in-sample MAE), or, for a history too short or too flat for it, the naive's, then the mean size of the
 * values, then 1 (an all-zero history).
 */
export function historyScale(history: ArrayLike<number>, season: number): number {
  const seasonal = seasonalNaiveScale(history, season);
  if (seasonal > 0) return seasonal;
  const lagOne = seasonalNaiveScale(history, 1);
  if (lagOne > 0) return lagOne;
  let size = 0;
  for (let i = 0; i < history.length; i++) size += Math.abs(history[i]);
  return size > 0 ? size / history.length : 1;
}

/** One forecaster's scores: per step, every series' scores pooled and sorted; and each series' own. */
export interface ConformalScores {
  /** `pooled[h]`: the scores of step h over all series and origins, ascending. */
  pooled: number[][];
  /** `series[s][h]`: series s's scores of step h, one per origin, ascending. */
  series: number[][][];
}

/**
 * How many scores the pool counts as in a series' own factor: with n scores of its own (origins × steps), the
 * factor is (n·own + POOL_WEIGHT·1) / (n + POOL_WEIGHT), so a handful of scores moves it a little and a few
 * dozen decide it.
 */
export const POOL_WEIGHT = 10;

const ascending = (a: number, b: number) => a - b;

/**
 * Scores of forecasts at the cross-validation origins: `actuals[s][k]` and `forecasts[s][k]` are series s's
 * values and forecast after origin k, `scales[s][k]` the scale of its history before that origin. A step with
 * a non-finite score (a zero scale, a missing value) is left out.
 */
export function conformalScores(
  actuals: readonly (readonly ArrayLike<number>[])[],
  forecasts: readonly (readonly ArrayLike<number>[])[],
  scales: readonly (readonly number[])[],
  horizon: number,
): ConformalScores {
  const pooled: number[][] = Array.from({ length: horizon }, () => []);
  const series = actuals.map((list, s) => {
    const own: number[][] = Array.from({ length: horizon }, () => []);
    list.forEach((actual, k) => {
      for (let h = 0; h < horizon && h < actual.length; h++) {
        const score = Math.abs(actual[h] - forecasts[s][k][h]) / scales[s][k];
        if (!Number.isFinite(score)) continue;
        own[h].push(score);
        pooled[h].push(score);
      }
    });
    for (const step of own) step.sort(ascending);
    return own;
  });
  for (const step of pooled) step.sort(ascending);
  return { pooled, series };
}

/**
 * The conformal quantile of ascending scores at `level` percent: the ⌈(n+1)·L/100⌉-th smallest, the
 * finite-sample rule under which a new score falls at or below it with probability at least L. A level past
 * what n scores can certify (L > 100·n/(n+1)) takes the largest. NaN for no scores.
 */
export function conformalQuantile(sorted: ArrayLike<number>, level: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const rank = Math.min(n, Math.max(1, Math.ceil(((n + 1) * level) / 100)));
  return sorted[rank - 1];
}

/** Per step, the conformal quantile at `level` of the pooled scores (ascending per step). */
export function pooledQuantiles(pooled: readonly (readonly number[])[], level: number): number[] {
  return pooled.map((step) => conformalQuantile(step, level));
}

/**
 * Per step, the score quantile that sets a series' half-widths at `level`: the pooled quantile of the step
 * times the series' own factor, the conformal quantile of its scores each divided by its step's pooled
 * quantile (so a series whose errors run twice the pool's at every step gets twice the width), shrunk toward
 * 1 by the number of its scores; then made non-decreasing over the steps (a forecast further ahead is never
 * surer than a nearer one). `own` null: the pooled quantiles alone.
 */
export function seriesQuantiles(
  scores: ConformalScores,
  own: readonly (readonly number[])[] | null,
  level: number,
): number[] {
  return quantilesFromPooled(pooledQuantiles(scores.pooled, level), own, level);
}

/**
 * seriesQuantiles from the pooled quantiles at `level` (pooledQuantiles), which a caller making the bands of
 * many series computes once.
 */
export function quantilesFromPooled(
  pooled: readonly number[],
  own: readonly (readonly number[])[] | null,
  level: number,
): number[] {
  let n = 0;
  own?.forEach((step, h) => {
    if (pooled[h] > 0) n += step.length;
  });
  // typed, so that the sort is numeric without a comparator
  const ratios = new Float64Array(n);
  let at = 0;
  own?.forEach((step, h) => {
    if (pooled[h] > 0) for (const score of step) ratios[at++] = score / pooled[h];
  });
  ratios.sort();
  const factor = n === 0 ? 1 : (n * conformalQuantile(ratios, level) + POOL_WEIGHT) / (n + POOL_WEIGHT);
  let widest = 0;
  return pooled.map((q) => {
    if (Number.isFinite(q)) widest = Math.max(widest, q * factor);
    return widest;
  });
}

/** One level's band: one lower and one upper bound per step. */
export interface Band {
  lower: number[];
  upper: number[];
}

/**
 * The band around `point` at half-widths `quantiles[h] × scale`; lower bounds below 0 are raised to 0 when
 * forecasts are clipped, so lower ≤ point ≤ upper holds for a clipped point too.
 */
export function bandAround(
  point: ArrayLike<number>,
  quantiles: readonly number[],
  scale: number,
  clipNegative: boolean,
): Band {
  const lower: number[] = [];
  const upper: number[] = [];
  for (let h = 0; h < point.length; h++) {
    const half = quantiles[Math.min(h, quantiles.length - 1)] * scale;
    const low = point[h] - half;
    lower.push(clipNegative ? Math.max(0, low) : low);
    upper.push(point[h] + half);
  }
  return { lower, upper };
}

/** The most scores per step a saved model keeps: a quantile of more is read from evenly spaced ones. */
export const MAX_SAVED_SCORES = 1000;

/**
 * Ascending scores cut to at most `max` evenly spaced order statistics, the smallest and largest among them,
 * so a model of many series saves a bounded calibration whose quantiles stay within one spacing.
 */
export function thinnedScores(sorted: readonly number[], max = MAX_SAVED_SCORES): number[] {
  if (sorted.length <= max) return [...sorted];
  return Array.from({ length: max }, (_, i) => sorted[Math.round((i * (sorted.length - 1)) / (max - 1))]);
}
