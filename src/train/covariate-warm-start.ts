import { asWindowSource, type Windows } from "../data/window-source.ts";
import { featureCount, inputFeatures, type Network, type NetworkSpec, usedColumns } from "../model/index.ts";
import { choleskySolve, DEFAULT_RIDGE, RIDGE_GRID } from "./linear-warm-start.ts";

/**
 * Starts the covariate head of a network with features at the ridge regression of each horizon step on the
 * features of its own period, as Adam would take hundreds of steps to grow a zero-initialized head to an
 * effect of a few standard deviations (a promotion's lift). With a highway, the window joins the regressors,
 * the highway starts at its part and the output head at zero: training begins where a linear autoregression
 * with regressors ends. The intercept, unpenalized, goes to the highway's bias (without one it is left to the
 * head's bias, which learns it at once). The penalty is `penalty`, or, given windows, the one of RIDGE_GRID
 * whose regression, fitted on the training windows, forecasts those best. Returns the penalty (none: nothing to
 * start from).
 */
export function warmStartCovariateHead(
  network: Network,
  train: Windows,
  penalty: Windows | number,
): number | undefined {
  const { spec } = network;
  const used = featureCount(spec);
  const source = asWindowSource(train);
  if (used === 0 || source.count === 0) return undefined;
  const { windowSize: w, horizon: h } = spec;
  const lags = spec.highway ? w : 0;
  const layout = { lags, columns: usedColumns(spec), all: inputFeatures(spec) };
  const n = lags + used + 1;
  const gram = Array.from({ length: h }, () => new Float64Array(n * n));
  const cross = Array.from({ length: h }, () => new Float64Array(n));
  eachRegressorRow(source, spec, layout, (k, row, target) => {
    const g = gram[k];
    const c = cross[k];
    for (let a = 0; a < n; a++) {
      const ra = row[a];
      if (ra === 0) continue;
      for (let b = 0; b <= a; b++) g[a * n + b] += ra * row[b];
      c[a] += ra * target;
    }
  });
  const solve = (ridge: number) =>
    gram.map((lower, k) => {
      const g = new Float64Array(n * n);
      for (let a = 0; a < n; a++) {
        for (let b = 0; b <= a; b++) g[a * n + b] = g[b * n + a] = lower[a * n + b];
        if (a < n - 1) g[a * n + a] += ridge;
      }
      const z = cross[k].slice();
      choleskySolve(g, z, n, 1);
      return z;
    });
  let best = { ridge: DEFAULT_RIDGE, error: Number.POSITIVE_INFINITY, solution: [] as Float64Array[] };
  const checked = typeof penalty === "number" ? null : asWindowSource(penalty);
  if (checked && checked.count > 0) {
    for (const ridge of RIDGE_GRID) {
      const solution = solve(ridge);
      let error = 0;
      eachRegressorRow(checked, spec, layout, (k, row, target) => {
        let forecast = 0;
        for (let a = 0; a < n; a++) forecast += solution[k][a] * row[a];
        error += (forecast - target) ** 2;
      });
      if (error < best.error) best = { ridge, error, solution };
    }
  } else {
    const ridge = typeof penalty === "number" ? penalty : DEFAULT_RIDGE;
    best = { ridge, error: Number.NaN, solution: solve(ridge) };
  }
  const covariates = paramOf(network, "covariates.weight");
  for (let k = 0; k < h; k++) {
    const z = best.solution[k];
    for (let f = 0; f < used; f++) covariates.data[k * used + f] = z[lags + f];
    if (spec.highway) {
      paramOf(network, "highway.weight").data.set(z.subarray(0, w), k * w);
      paramOf(network, "highway.bias").data[k] = z[n - 1];
    }
  }
  if (spec.highway) for (const param of network.head) param.data.fill(0);
  return best.ridge;
}

interface RegressorLayout {
  lags: number;
  columns: readonly number[];
  all: number;
}

/** Calls `visit` with every window's regressors for each step k and that step's target. */
function eachRegressorRow(
  source: ReturnType<typeof asWindowSource>,
  spec: NetworkSpec,
  layout: RegressorLayout,
  visit: (k: number, row: Float64Array, target: number) => void,
): void {
  const x = new Float32Array(source.inputWidth);
  const y = new Float32Array(spec.horizon);
  const row = new Float64Array(layout.lags + layout.columns.length + 1);
  for (let i = 0; i < source.count; i++) {
    source.write(i, x, 0, y, 0);
    for (let k = 0; k < spec.horizon; k++) {
      fillRegressors(x, spec, k, layout, row);
      visit(k, row, y[k]);
    }
  }
}

/** Step k's regressors of input row `x`: the window (with a highway), its period's used features, then 1. */
function fillRegressors(
  x: Float32Array,
  spec: NetworkSpec,
  k: number,
  layout: RegressorLayout,
  row: Float64Array,
): void {
  const { lags, columns, all } = layout;
  const period = spec.windowSize + (spec.windowSize + k) * all;
  for (let t = 0; t < lags; t++) row[t] = x[t];
  columns.forEach((column, f) => {
    row[lags + f] = x[period + column];
  });
  row[lags + columns.length] = 1;
}

function paramOf(network: Network, name: string) {
  const param = network.params.find((p) => p.name === name);
  if (!param) throw new Error(`the network has no parameter ${name}`);
  return param;
}
