import { asWindowSource, type Windows } from "../data/window-source.ts";
import type { Network } from "../model/index.ts";

/**
 * Solves `A z = b` for a symmetric positive definite `A` (n×n, row-major) in place by Cholesky; `b` holds
 * `columns` right-hand sides as rows of an n×columns matrix and is overwritten with the solution.
 */
export function choleskySolve(a: Float64Array, b: Float64Array, n: number, columns: number): void {
  for (let j = 0; j < n; j++) {
    let diagonal = a[j * n + j];
    for (let k = 0; k < j; k++) diagonal -= a[j * n + k] ** 2;
    const pivot = Math.sqrt(diagonal);
    a[j * n + j] = pivot;
    for (let i = j + 1; i < n; i++) {
      let sum = a[i * n + j];
      for (let k = 0; k < j; k++) sum -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = sum / pivot;
    }
  }
  for (let c = 0; c < columns; c++) {
    for (let i = 0; i < n; i++) {
      let sum = b[i * columns + c];
      for (let k = 0; k < i; k++) sum -= a[i * n + k] * b[k * columns + c];
      b[i * columns + c] = sum / a[i * n + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      let sum = b[i * columns + c];
      for (let k = i + 1; k < n; k++) sum -= a[k * n + i] * b[k * columns + c];
      b[i * columns + c] = sum / a[i * n + i];
    }
  }
}

export interface LinearMap {
  /** `[horizon, windowSize]`, row-major as `highway.weight`. */
  weight: Float32Array;
  bias: Float32Array;
}

/**
 * The normal equations of the ridge fit, summed window by window in one pass (windows are read one at a
 * time, never all held): the Gram matrix of [window, 1] (lower triangle) and its products with the targets.
 * `add` continues the sums, so the equations of a set and then another equal those of both in one pass.
 */
export class NormalEquations {
  readonly gram: Float64Array;
  readonly cross: Float64Array;
  count = 0;

  constructor(
    readonly windowSize: number,
    readonly horizon: number,
  ) {
    const n = windowSize + 1; // inputs plus the intercept column
    this.gram = new Float64Array(n * n);
    this.cross = new Float64Array(n * horizon);
  }

  add(windows: Windows): this {
    const source = asWindowSource(windows);
    const { windowSize: w, horizon: h, gram, cross } = this;
    const n = w + 1;
    // Rows with features carry them after the window; the map reads the window alone.
    const x = new Float32Array(source.inputWidth);
    const y = new Float32Array(h);
    const row = new Float64Array(n);
    for (let s = 0; s < source.count; s++) {
      source.write(s, x, 0, y, 0);
      for (let t = 0; t < w; t++) row[t] = x[t];
      row[w] = 1;
      for (let i = 0; i < n; i++) {
        const ri = row[i];
        for (let j = 0; j <= i; j++) gram[i * n + j] += ri * row[j];
        for (let k = 0; k < h; k++) cross[i * h + k] += ri * y[k];
      }
    }
    this.count += source.count;
    return this;
  }

  copy(): NormalEquations {
    const copy = new NormalEquations(this.windowSize, this.horizon);
    copy.gram.set(this.gram);
    copy.cross.set(this.cross);
    copy.count = this.count;
    return copy;
  }

  /** The ridge solution (an unpenalized intercept); the sums stay as they are. */
  solve(ridge: number): LinearMap {
    const { windowSize: w, horizon: h } = this;
    const n = w + 1;
    const gram = this.gram.slice();
    const cross = this.cross.slice();
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) gram[j * n + i] = gram[i * n + j];
      if (i < w) gram[i * n + i] += ridge;
    }
    choleskySolve(gram, cross, n, h);
    const weight = new Float32Array(h * w);
    const bias = new Float32Array(h);
    for (let k = 0; k < h; k++) {
      for (let t = 0; t < w; t++) weight[k * w + t] = cross[t * h + k];
      bias[k] = cross[w * h + k];
    }
    return { weight, bias };
  }
}

/**
 * Ridge regression of every horizon step on the window (with an unpenalized intercept): the best linear
 * autoregression of the training windows, in closed form.
 */
export function fitLinearAutoregression(windows: Windows, ridge: number): LinearMap {
  return new NormalEquations(windows.windowSize, windows.horizon).add(windows).solve(ridge);
}

/** Mean squared error of a linear map over a set of windows. */
export function linearMapError(map: LinearMap, windows: Windows): number {
  const source = asWindowSource(windows);
  const { windowSize: w, horizon: h, count } = source;
  const x = new Float32Array(source.inputWidth);
  const y = new Float32Array(h);
  let sum = 0;
  for (let s = 0; s < count; s++) {
    source.write(s, x, 0, y, 0);
    for (let k = 0; k < h; k++) {
      let f = map.bias[k];
      for (let t = 0; t < w; t++) f += map.weight[k * w + t] * x[t];
      sum += (f - y[k]) ** 2;
    }
  }
  return sum / (count * h);
}

/** Penalties tried for the warm start, on normalized values: from almost none to strong shrinkage. */
export const RIDGE_GRID = [0.1, 1, 10, 100, 1000] as const;
/** The penalty without validation windows to choose one on. */
export const DEFAULT_RIDGE = 1;

/**
 * The ridge penalty whose linear map, fitted on the training windows, forecasts the validation windows best:
 * a few hundred windows of one series want far more shrinkage than thousands pooled over many.
 */
export function chooseRidge(train: Windows | NormalEquations, validation: Windows): number {
  if (train.count === 0 || validation.count === 0) return DEFAULT_RIDGE;
  // the sums do not depend on the penalty: one pass over the windows serves every candidate
  const equations =
    train instanceof NormalEquations
      ? train
      : new NormalEquations(train.windowSize, train.horizon).add(train);
  let best = { ridge: DEFAULT_RIDGE, error: Number.POSITIVE_INFINITY };
  for (const ridge of RIDGE_GRID) {
    const error = linearMapError(equations.solve(ridge), validation);
    if (error < best.error) best = { ridge, error };
  }
  return best.ridge;
}

/**
 * Starts a network with a highway from the best linear model of the training windows, and its output head at
 * zero, so training begins where a linear autoregression ends and the network learns what is left.
 */
export function warmStartHighway(network: Network, train: Windows | NormalEquations, ridge: number): void {
  const linear =
    train instanceof NormalEquations ? train.solve(ridge) : fitLinearAutoregression(train, ridge);
  const byName = new Map(network.params.map((p) => [p.name, p]));
  const set = (name: string, values: Float32Array) => {
    const param = byName.get(name);
    if (!param) throw new Error(`the network has no parameter ${name}`);
    param.data.set(values);
  };
  set("highway.weight", linear.weight);
  set("highway.bias", linear.bias);
  for (const param of network.head) param.data.fill(0);
}
