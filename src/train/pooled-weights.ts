import { oneHot } from "./ensemble.ts";

/**
 * One set of member weights shared by every series: the point of the simplex (weights at or above 0, summing
 * to 1) whose combination has the lowest mean MASE over the series' cross-validation origins. Few origins per
 * series make per-series weights noisy; pooled over all series, a handful of weights is learned from many
 * points, so the combination can be trusted where each series alone says little.
 */

/** Exponentiated-gradient steps; the mean scaled error changes in the fourth digit long before this. */
const STEPS = 300;

/**
 * Points the weights are fitted on at most: a larger panel contributes every k-th series, as a handful of
 * weights is settled long before this many points, and the search costs points × members × steps.
 */
const MAX_POINTS = 100_000;

/** One series' cross-validation: its actuals at each origin, each member's forecasts there, its MASE scale. */
export interface PooledSeries {
  actuals: readonly ArrayLike<number>[];
  /** `forecasts[m][k]`: member m's forecast at origin k. */
  forecasts: readonly (readonly ArrayLike<number>[])[];
  scale: number;
}

/**
 * The pooled weights over `members` members, or null when no series has a point every member forecast and a
 * positive scale. Every point of a series weighs 1/(scale · its point count), so each series' MASE counts
 * once, whatever its level or number of origins. The minimum is searched by exponentiated gradient from equal
 * weights, and each member alone and the equal mix are candidates too, so the result is never worse on these
 * origins than the best member or the plain mean.
 */
export function pooledWeights(series: readonly PooledSeries[], members: number): number[] | null {
  const points = flatten(series, members);
  if (points.actual.length === 0) return null;
  const candidates = [
    new Array(members).fill(1 / members),
    ...Array.from({ length: members }, (_, m) => oneHot(members, m)),
  ];
  let best = candidates[0];
  let bestLoss = Infinity;
  const consider = (w: number[], loss: number) => {
    if (loss < bestLoss) [best, bestLoss] = [w, loss];
  };
  for (const w of candidates) consider(w, lossAndSubgradient(points, w).loss);
  let w = candidates[0];
  for (let t = 1; t <= STEPS; t++) {
    const { loss, gradient } = lossAndSubgradient(points, w);
    consider(w, loss);
    const size = Math.max(...gradient.map(Math.abs));
    if (size === 0) break;
    const rate = 1 / Math.sqrt(t);
    const raised = w.map((v, m) => v * Math.exp((-rate * gradient[m]) / size));
    const total = raised.reduce((a, b) => a + b, 0);
    w = raised.map((v) => v / total);
  }
  return best;
}

/** Every usable point, point-major: `forecast[i * members + m]` is member m's forecast of point i. */
interface Points {
  actual: Float64Array;
  forecast: Float64Array;
  weight: Float64Array;
  members: number;
}

function flatten(series: readonly PooledSeries[], members: number): Points {
  const actual: number[] = [];
  const weight: number[] = [];
  const forecast: number[] = [];
  const total = series.reduce((sum, { actuals }) => sum + actuals.reduce((n, a) => n + a.length, 0), 0);
  const stride = Math.max(1, Math.ceil(total / MAX_POINTS));
  for (let s = 0; s < series.length; s += stride) {
    const { actuals, forecasts, scale } = series[s];
    if (!(scale > 0) || !Number.isFinite(scale)) continue;
    const start = actual.length;
    actuals.forEach((a, k) => {
      for (let h = 0; h < a.length; h++) {
        const values = forecasts.map((f) => f[k]?.[h] ?? Number.NaN);
        if (!Number.isFinite(a[h]) || !values.every(Number.isFinite)) continue;
        actual.push(a[h]);
        forecast.push(...values);
      }
    });
    const count = actual.length - start;
    for (let i = 0; i < count; i++) weight.push(1 / (scale * count));
  }
  return {
    actual: Float64Array.from(actual),
    forecast: Float64Array.from(forecast),
    weight: Float64Array.from(weight),
    members,
  };
}

/**
 * Σ weight · |actual − combination| (the sum of the series' MASE, up to their count) at `w`, and a
 * subgradient of it.
 */
function lossAndSubgradient(points: Points, w: readonly number[]): { loss: number; gradient: number[] } {
  const { actual, forecast, weight, members } = points;
  const n = actual.length;
  const at = Float64Array.from(w);
  const gradient = new Float64Array(members);
  let loss = 0;
  for (let i = 0, row = 0; i < n; i++, row += members) {
    let combined = 0;
    for (let m = 0; m < members; m++) combined += at[m] * forecast[row + m];
    const residual = actual[i] - combined;
    if (residual === 0) continue;
    const signed = residual > 0 ? weight[i] : -weight[i];
    loss += signed * residual;
    for (let m = 0; m < members; m++) gradient[m] -= signed * forecast[row + m];
  }
  return { loss, gradient: Array.from(gradient) };
}
