import { createParam } from "./param.ts";
import type { Param } from "./spec.ts";

/** The input shape of a network with features: the window, and `features` standardized features per period. */
export interface FeatureShape {
  windowSize: number;
  horizon: number;
  /** Feature columns (calendar, holidays, covariates); absent or 0: the sales alone. */
  features?: number;
}

/** Features per period of a spec: 0 for a network of the sales alone. */
export function featureCount(spec: FeatureShape): number {
  return spec.features ?? 0;
}

/**
 * The width of one input row the engine's networks read: the scaled window, then, with features, its
 * `(windowSize + horizon) × features` standardized features (period-major: the window's periods, then the
 * horizon's), as the ONNX graph's `covariates` input holds them.
 */
export function inputWidth(spec: FeatureShape): number {
  return spec.windowSize + (spec.windowSize + spec.horizon) * featureCount(spec);
}

/** Checks a spec's optional `features` (a non-negative integer); returns it as the spec keeps it. */
export function checkedFeatures(value: unknown): { features?: number } {
  if (value === undefined || value === 0) return {};
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new Error(`spec.features must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return { features: value };
}

/**
 * Splits input rows `[batch, inputWidth]` into the windows `values` `[batch, windowSize]` and their features
 * `covariates` `[batch, (windowSize + horizon) · features]`, both kept for backward.
 */
export class FeatureInput {
  values = new Float32Array(0);
  covariates = new Float32Array(0);
  private readonly features: number;

  constructor(private readonly spec: FeatureShape) {
    this.features = featureCount(spec);
  }

  allocate(capacity: number): void {
    const { windowSize, horizon } = this.spec;
    this.values = new Float32Array(capacity * windowSize);
    this.covariates = new Float32Array(capacity * (windowSize + horizon) * this.features);
  }

  split(x: Float32Array, batch: number): void {
    const { windowSize: w, horizon: h } = this.spec;
    const width = inputWidth(this.spec);
    const rest = (w + h) * this.features;
    if (x.length < batch * width) {
      throw new RangeError(
        `x has ${x.length} values, a batch of ${batch} rows of ${width} (window ${w}, features ${this.features}) needs ${batch * width}`,
      );
    }
    for (let b = 0; b < batch; b++) {
      const row = b * width;
      this.values.set(x.subarray(row, row + w), b * w);
      this.covariates.set(x.subarray(row + w, row + width), b * rest);
    }
  }
}

/**
 * The horizon's features straight into the forecast: step k gains `Σ_f weight[k, f] · features[W + k, f]`, the
 * features of its own period. Past-only features are 0 in the horizon's rows, so only the known-future ones
 * move it. Zero-initialized: a network starts as it would without features. A few multiply-adds per row.
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
