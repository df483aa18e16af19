import { createParam } from "./param.ts";
import type { Param } from "./spec.ts";

/** The input shape of a network with features: the window, and `features` standardized features per period. */
export interface FeatureShape {
  windowSize: number;
  horizon: number;
  /** Feature columns of the input (calendar, holidays, covariates); absent or 0: the sales alone. */
  features?: number;
  /** The columns the network reads, ascending; absent: all of them. */
  featureColumns?: number[];
}

/** Feature columns of a spec's input rows (and of its graph's `covariates` input): 0 for the sales alone. */
export function inputFeatures(spec: FeatureShape): number {
  return spec.features ?? 0;
}

/** The feature columns the network reads: its input channels beside the window, and its covariate head's. */
export function featureCount(spec: FeatureShape): number {
  return spec.featureColumns?.length ?? inputFeatures(spec);
}

/** The indices of the columns read, `featureColumns` or every one. */
export function usedColumns(spec: FeatureShape): number[] {
  return spec.featureColumns ?? Array.from({ length: inputFeatures(spec) }, (_, f) => f);
}

/**
 * The width of one input row the engine's networks read: the scaled window, then, with features, its
 * `(windowSize + horizon) × features` standardized features (period-major: the window's periods, then the
 * horizon's), as the ONNX graph's `covariates` input holds them.
 */
export function inputWidth(spec: FeatureShape): number {
  return spec.windowSize + (spec.windowSize + spec.horizon) * inputFeatures(spec);
}

/**
 * Checks a spec's optional `features` (a non-negative integer) and `featureColumns` (distinct ascending
 * columns below it); returns them as the spec keeps them.
 */
export function checkedFeatures(
  features: unknown,
  columns: unknown,
): { features?: number; featureColumns?: number[] } {
  if (features === undefined || features === 0) {
    if (columns !== undefined) throw new Error("spec.featureColumns needs spec.features");
    return {};
  }
  if (typeof features !== "number" || !Number.isInteger(features) || features < 0) {
    throw new Error(`spec.features must be a non-negative integer, got ${JSON.stringify(features)}`);
  }
  if (columns === undefined) return { features };
  const valid =
    Array.isArray(columns) &&
    columns.every((c, i) => Number.isInteger(c) && c >= 0 && c < features && (i === 0 || c > columns[i - 1]));
  if (!valid) {
    throw new Error(
      `spec.featureColumns must be distinct ascending columns below ${features}, got ${JSON.stringify(columns)}`,
    );
  }
  return { features, featureColumns: [...(columns as number[])] };
}

/**
 * Splits input rows `[batch, inputWidth]` into the windows `values` `[batch, windowSize]` and the features
 * the network reads, `covariates` `[batch, (windowSize + horizon) · featureCount]`, both kept for backward.
 */
export class FeatureInput {
  values = new Float32Array(0);
  covariates = new Float32Array(0);
  private readonly features: number;
  private readonly columns: number[];

  constructor(private readonly spec: FeatureShape) {
    this.features = featureCount(spec);
    this.columns = usedColumns(spec);
  }

  allocate(capacity: number): void {
    const { windowSize, horizon } = this.spec;
    this.values = new Float32Array(capacity * windowSize);
    this.covariates = new Float32Array(capacity * (windowSize + horizon) * this.features);
  }

  split(x: Float32Array, batch: number): void {
    const { windowSize: w, horizon: h } = this.spec;
    const { features, columns, covariates } = this;
    const width = inputWidth(this.spec);
    const all = inputFeatures(this.spec);
    if (x.length < batch * width) {
      throw new RangeError(
        `x has ${x.length} values, a batch of ${batch} rows of ${width} needs ${batch * width}`,
      );
    }
    for (let b = 0; b < batch; b++) {
      const row = b * width;
      this.values.set(x.subarray(row, row + w), b * w);
      for (let t = 0; t < w + h; t++) {
        const from = row + w + t * all;
        const to = (b * (w + h) + t) * features;
        for (let f = 0; f < features; f++) covariates[to + f] = x[from + columns[f]];
      }
    }
  }
}

/**
 * The horizon's features straight into the forecast: step k gains `Σ_f weight[k, f] · features[W + k, f]`, the
 * features of its own period. Past-only features are 0 in the horizon's rows, so only the known-future ones
 * move it. Zero-initialized; the trainer starts it at a regression (train/covariate-warm-start.ts). A few
 * multiply-adds per row.
 */
export class CovariateHead {
  readonly weight: Param;
  private batch = 0;
  private covariates: Float32Array = new Float32Array(0);

  constructor(
    private readonly windowSize: number,
    private readonly horizon: number,
    private readonly features: number,
  ) {
    this.weight = createParam("covariates.weight", [horizon, features]);
  }

  /** Adds the horizon's terms of `covariates` `[batch, (W + H) · F]` (kept for backward) to `out` `[batch, H]`. */
  forward(covariates: Float32Array, batch: number, out: Float32Array): void {
    const { windowSize: w, horizon: h, features: f } = this;
    const w8 = this.weight.data;
    this.covariates = covariates;
    this.batch = batch;
    for (let b = 0; b < batch; b++) {
      const base = b * (w + h) * f + w * f;
      for (let k = 0; k < h; k++) {
        let sum = 0;
        for (let j = 0; j < f; j++) sum += w8[k * f + j] * covariates[base + k * f + j];
        out[b * h + k] += sum;
      }
    }
  }

  backward(dOut: Float32Array): void {
    const { windowSize: w, horizon: h, features: f, covariates, batch } = this;
    const grad = this.weight.grad;
    for (let b = 0; b < batch; b++) {
      const base = b * (w + h) * f + w * f;
      for (let k = 0; k < h; k++) {
        const g = dOut[b * h + k];
        for (let j = 0; j < f; j++) grad[k * f + j] += g * covariates[base + k * f + j];
      }
    }
  }
}

/** The covariate head's parameter shape, after the highway's in a spec's list. */
export function covariateHeadShapes(spec: FeatureShape): { name: string; shape: number[] }[] {
  const f = featureCount(spec);
  return f > 0 ? [{ name: "covariates.weight", shape: [spec.horizon, f] }] : [];
}

/**
 * Input rows `[count, inputWidth]` from scaled windows `x` `[count, W]` and their features `covariates`
 * `[count, (W + H) · F]`, the two inputs of the ONNX graph; the windows alone when the spec has no features.
 */
export function packInputRows(
  spec: FeatureShape,
  x: Float32Array,
  covariates: Float32Array,
  count: number,
): Float32Array {
  const { windowSize: w, horizon: h } = spec;
  const rest = (w + h) * inputFeatures(spec);
  if (rest === 0) return x;
  const width = w + rest;
  const rows = new Float32Array(count * width);
  for (let i = 0; i < count; i++) {
    rows.set(x.subarray(i * w, (i + 1) * w), i * width);
    rows.set(covariates.subarray(i * rest, (i + 1) * rest), i * width + w);
  }
  return rows;
}
