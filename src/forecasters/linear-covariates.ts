import { type Series, type SplitOptions, splitBounds, type WindowScaler } from "../data/index.ts";
import { FEATURE_USES, type FeatureUse, type SeriesFeatures, writeFeatureWindow } from "../features/index.ts";
import { choleskySolve, RIDGE_GRID } from "../train/linear-warm-start.ts";

/**
 * A ridge autoregression with regressors: forecast step k is a linear map of the scaled window, of the
 * known-future features at step k's own period, and of the past-only features at the window's last period.
 */
export interface CovariateLinearMap {
  /** `[horizon, windowSize]` on the window. */
  weight: Float32Array;
  bias: Float32Array;
  /** `[horizon, features]`: step k's weights on its own period's features (0 for the past-only ones). */
  future: Float32Array;
  /** `[horizon, features]`: step k's weights on the window's last period's features (0 for the known-future). */
  past: Float32Array;
}

/** Windows packed for the map: scaled values `x`, targets `y`, features `(W + H) × F` per window in `cov`. */
export interface CovariateWindows {
  x: Float32Array;
  y: Float32Array;
  cov: Float32Array;
  count: number;
}

/** The train and validation windows of buildWindowSets (same origins, same scaling), with their features. */
export function covariateWindowSets(
  series: readonly Series[],
  scaler: WindowScaler,
  features: SeriesFeatures,
  split: SplitOptions,
): { train: CovariateWindows; validation: CovariateWindows } {
  const { windowSize, horizon } = split;
  const train: [number, number][] = [];
  const validation: [number, number][] = [];
  series.forEach(({ values }, s) => {
    const { fitEnd, trainEnd } = splitBounds(values.length, split);
    for (let t = windowSize; t <= trainEnd - horizon; t++) train.push([s, t]);
    for (let t = Math.max(trainEnd, windowSize); t <= fitEnd - horizon; t++) validation.push([s, t]);
  });
  const pack = (origins: [number, number][]): CovariateWindows => {
    const width = features.layout.names.length;
    const rows = windowSize + horizon;
    const set = {
      x: new Float32Array(origins.length * windowSize),
      y: new Float32Array(origins.length * horizon),
      cov: new Float32Array(origins.length * rows * width),
      count: origins.length,
    };
    origins.forEach(([s, t], i) => {
      const values = series[s].values;
      const stats = scaler(s, values, t - windowSize, t);
      for (let j = 0; j < windowSize; j++)
        set.x[i * windowSize + j] = (values[t - windowSize + j] - stats.mean) / stats.std;
      for (let k = 0; k < horizon; k++) set.y[i * horizon + k] = (values[t + k] - stats.mean) / stats.std;
      writeFeatureWindow(features, s, t, windowSize, horizon, set.cov, i * rows * width);
    });
    return set;
  };
  return { train: pack(train), validation: pack(validation) };
}

interface Shape {
  windowSize: number;
  horizon: number;
  /** Feature columns used at step k's own period, and at the window's last period. */
  future: readonly number[];
  past: readonly number[];
  width: number;
}

export function mapShape(
  windowSize: number,
  horizon: number,
  knownFuture: readonly boolean[],
  use: FeatureUse,
): Shape {
  const columns = knownFuture.map((_, f) => f);
  return {
    windowSize,
    horizon,
    future: use === "none" ? [] : columns.filter((f) => knownFuture[f]),
    past: use === "all" ? columns.filter((f) => !knownFuture[f]) : [],
    width: knownFuture.length,
  };
}

/** Step k's regressors of window i: window values, its features, then 1 (the intercept), into `row`. */
function fillRow(set: CovariateWindows, shape: Shape, i: number, k: number, row: Float64Array): void {
  const { windowSize: w, horizon: h, width } = shape;
  const base = i * (w + h) * width;
  let c = 0;
  for (let t = 0; t < w; t++) row[c++] = set.x[i * w + t];
  for (const f of shape.future) row[c++] = set.cov[base + (w + k) * width + f];
  for (const f of shape.past) row[c++] = set.cov[base + (w - 1) * width + f];
  row[c] = 1;
}

/** One ridge regression per horizon step (its regressors differ by step), the intercept unpenalized. */
export function fitCovariateLinear(set: CovariateWindows, shape: Shape, ridge: number): CovariateLinearMap {
  const { windowSize: w, horizon: h, width } = shape;
  const n = w + shape.future.length + shape.past.length + 1;
  const map: CovariateLinearMap = {
    weight: new Float32Array(h * w),
    bias: new Float32Array(h),
    future: new Float32Array(h * width),
    past: new Float32Array(h * width),
  };
  const row = new Float64Array(n);
  for (let k = 0; k < h; k++) {
    const gram = new Float64Array(n * n);
    const cross = new Float64Array(n);
    for (let i = 0; i < set.count; i++) {
      fillRow(set, shape, i, k, row);
      const target = set.y[i * h + k];
      for (let a = 0; a < n; a++) {
        const ra = row[a];
        if (ra === 0) continue;
        for (let b = 0; b <= a; b++) gram[a * n + b] += ra * row[b];
        cross[a] += ra * target;
      }
    }
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < a; b++) gram[b * n + a] = gram[a * n + b];
      if (a < n - 1) gram[a * n + a] += ridge;
    }
    choleskySolve(gram, cross, n, 1);
    let c = 0;
    for (let t = 0; t < w; t++) map.weight[k * w + t] = cross[c++];
    for (const f of shape.future) map.future[k * width + f] = cross[c++];
    for (const f of shape.past) map.past[k * width + f] = cross[c++];
    map.bias[k] = cross[c];
  }
  return map;
}

/** `[count, horizon]` forecasts (scaled) of windows `x` with their features `cov`. */
export function predictCovariateLinear(
  map: CovariateLinearMap,
  windowSize: number,
  horizon: number,
  width: number,
  x: Float32Array,
  cov: Float32Array,
  count: number,
): Float32Array {
  const y = new Float32Array(count * horizon);
  const rows = windowSize + horizon;
  for (let i = 0; i < count; i++) {
    const base = i * rows * width;
    for (let k = 0; k < horizon; k++) {
      let sum = map.bias[k];
      for (let t = 0; t < windowSize; t++) sum += map.weight[k * windowSize + t] * x[i * windowSize + t];
      for (let f = 0; f < width; f++) {
        sum += map.future[k * width + f] * cov[base + (windowSize + k) * width + f];
        sum += map.past[k * width + f] * cov[base + (windowSize - 1) * width + f];
      }
      y[i * horizon + k] = sum;
    }
  }
  return y;
}

function meanSquaredError(map: CovariateLinearMap, set: CovariateWindows, shape: Shape): number {
  const f = predictCovariateLinear(
    map,
    shape.windowSize,
    shape.horizon,
    shape.width,
    set.x,
    set.cov,
    set.count,
  );
  let sum = 0;
  for (let i = 0; i < f.length; i++) sum += (f[i] - set.y[i]) ** 2;
  return sum / Math.max(f.length, 1);
}

export interface CovariateChoice {
  ridge: number;
  /** Which features earned their place: the validation windows say, never the test set. */
  use: FeatureUse;
}

/**
 * The penalty, and which features to use (none, known-future only, all), whose map fitted on the training windows forecasts
 * the validation windows best. Without validation windows: all features, with a penalty of 1.
 */
export function chooseCovariateLinear(
  train: CovariateWindows,
  validation: CovariateWindows,
  windowSize: number,
  horizon: number,
  knownFuture: readonly boolean[],
): CovariateChoice {
  if (train.count === 0 || validation.count === 0) return { ridge: 1, use: "all" };
  let best: CovariateChoice & { error: number } = { ridge: 1, use: "all", error: Number.POSITIVE_INFINITY };
  for (const use of FEATURE_USES) {
    const shape = mapShape(windowSize, horizon, knownFuture, use);
    for (const ridge of RIDGE_GRID) {
      const error = meanSquaredError(fitCovariateLinear(train, shape, ridge), validation, shape);
      if (error < best.error) best = { ridge, use, error };
    }
  }
  return { ridge: best.ridge, use: best.use };
}

/** Both sets' windows in one, `a`'s first. */
export function concatCovariateWindows(a: CovariateWindows, b: CovariateWindows): CovariateWindows {
  const join = (p: Float32Array, q: Float32Array) => {
    const out = new Float32Array(p.length + q.length);
    out.set(p);
    out.set(q, p.length);
    return out;
  };
  return { x: join(a.x, b.x), y: join(a.y, b.y), cov: join(a.cov, b.cov), count: a.count + b.count };
}
