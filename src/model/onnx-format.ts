import { checkedFeatures } from "./feature-input.ts";
import { checkedQuantiles } from "./quantile-head.ts";
import type { CnnLstmSpec } from "./spec.ts";

/**
 * The conventions of a salescast ONNX file, shared by export and import: where the spec lives,
 * how the LSTM initializers are named, and the gate order conversion between PyTorch and ONNX.
 */

export const PRODUCER_NAME = "salescast";
export const SPEC_METADATA_KEY = "salescast.spec";
export const INPUT_NAME = "input";
export const OUTPUT_NAME = "output";
/** The quantile head's output `[batch, horizon, quantiles]`, in a graph whose spec has `quantiles`. */
export const QUANTILES_NAME = "quantiles";
export const BATCH_DIM = "batch";
/** The second input of a model with features: standardized features `[batch, windowSize + horizon, features]`. */
export const COVARIATES_INPUT_NAME = "covariates";
/** The columns of `covariates` a network reads (spec.featureColumns), `[batch, windowSize + horizon, used]`. */
export const USED_COVARIATES_NAME = "used_covariates";
/** The last features `[batch, width]` that the head (and a quantile head) read, in every architecture's graph. */
export const FEATURES_NAME = "last_hidden";

/** ONNX's LSTM takes one W, R and B per layer, already in its gate order; the names say which layer. */
export function lstmInitializerNames(layer: number): { w: string; r: string; b: string } {
  return { w: `lstm.W_l${layer}`, r: `lstm.R_l${layer}`, b: `lstm.B_l${layer}` };
}

// Gates are stacked along the first dimension, so each gate is one contiguous quarter of the data.
// ONNX stacks them i, o, f, c; PyTorch i, f, g, o (g is ONNX's c). Entry j names the source quarter of quarter j.
const PYTORCH_QUARTER_OF_ONNX_QUARTER = [0, 3, 1, 2];
const ONNX_QUARTER_OF_PYTORCH_QUARTER = [0, 2, 3, 1];

function permuteGateQuarters(source: Float32Array, sourceQuarterOf: readonly number[]): Float32Array {
  const quarter = source.length / 4;
  const out = new Float32Array(source.length);
  sourceQuarterOf.forEach((from, to) => {
    out.set(source.subarray(from * quarter, (from + 1) * quarter), to * quarter);
  });
  return out;
}

export function pytorchToOnnxGates(weights: Float32Array): Float32Array {
  return permuteGateQuarters(weights, PYTORCH_QUARTER_OF_ONNX_QUARTER);
}

export function onnxToPytorchGates(weights: Float32Array): Float32Array {
  return permuteGateQuarters(weights, ONNX_QUARTER_OF_PYTORCH_QUARTER);
}

/** Checks a spec read from a file or handed to export; throws naming the first field that is wrong. */
export function validateCnnLstmSpec(value: unknown): CnnLstmSpec {
  if (typeof value !== "object" || value === null) throw new Error("spec must be an object");
  const spec = value as Record<string, unknown>;
  if (spec.architecture !== "cnn_lstm") {
    throw new Error(`spec.architecture must be "cnn_lstm", got ${JSON.stringify(spec.architecture)}`);
  }
  const counts = ["windowSize", "horizon", "convChannels", "kernelSize", "lstmHidden", "lstmLayers"] as const;
  for (const key of counts) {
    const n = spec[key];
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1) {
      throw new Error(`spec.${key} must be a positive integer, got ${JSON.stringify(n)}`);
    }
  }
  const valid = value as CnnLstmSpec;
  if (valid.kernelSize > valid.windowSize) {
    throw new Error(`spec.kernelSize (${valid.kernelSize}) exceeds spec.windowSize (${valid.windowSize})`);
  }
  if (spec.highway !== undefined && typeof spec.highway !== "boolean") {
    throw new Error(`spec.highway must be true or false, got ${JSON.stringify(spec.highway)}`);
  }
  const quantiles = checkedQuantiles(spec.quantiles);
  return {
    architecture: "cnn_lstm",
    ...(valid.highway ? { highway: true } : {}),
    windowSize: valid.windowSize,
    horizon: valid.horizon,
    convChannels: valid.convChannels,
    kernelSize: valid.kernelSize,
    lstmHidden: valid.lstmHidden,
    lstmLayers: valid.lstmLayers,
    ...(quantiles ? { quantiles } : {}),
    ...checkedFeatures(spec.features, spec.featureColumns),
  };
}
