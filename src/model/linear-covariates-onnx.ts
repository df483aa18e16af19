import { type ExportMeta, encodeModel } from "./onnx-export.ts";
import { COVARIATES_INPUT_NAME, INPUT_NAME, OUTPUT_NAME } from "./onnx-format.ts";
import { batchedFloatValue, covariatesValue, horizonFeatureTerms, int, op } from "./onnx-graph.ts";
import { floatTensor, int64Tensor, type Onnx } from "./onnx-proto.ts";

export interface CovariateLinearSpec {
  architecture: "linear";
  windowSize: number;
  horizon: number;
  features: number;
}

/** The weights of a linear map with regressors (src/forecasters/linear-covariates.ts), row-major. */
export interface CovariateLinearWeights {
  weight: Float32Array;
  bias: Float32Array;
  future: Float32Array;
  past: Float32Array;
}

// ReduceSum takes its axes as an input from opset 13.
const VERSIONS = { opset: 14, irVersion: 7 };

/**
 * A linear map with regressors as ONNX: `input` [batch, W] and `covariates` [batch, W + H, F] -> `output`
 * [batch, H] = input · weightᵀ + bias + Σ_f future[k, f]·covariates[:, W + k, f] + Σ_f past[k, f]·covariates[:, W - 1, f].
 */
export function exportCovariateLinearOnnx(
  spec: CovariateLinearSpec,
  weights: CovariateLinearWeights,
  meta: ExportMeta = {},
): Uint8Array {
  const { windowSize: w, horizon: h, features: f } = spec;
  const expected = { weight: h * w, bias: h, future: h * f, past: h * f };
  for (const [name, size] of Object.entries(expected)) {
    const got = weights[name as keyof CovariateLinearWeights].length;
    if (got !== size) throw new Error(`cannot export: linear.${name} has ${got} values, expected ${size}`);
  }
  const future = horizonFeatureTerms(spec, COVARIATES_INPUT_NAME, "linear.future", "future_part");
  const graph: Onnx.IGraphProto = {
    name: "salescast_linear_covariates",
    node: [
      op("Gemm", [INPUT_NAME, "linear.weight", "linear.bias"], ["window_part"], [int("transB", 1)]),
      ...future.node,
      op("Slice", [COVARIATES_INPUT_NAME, "last_start", "horizon_start", "time_axis"], ["last_row"]),
      op("Mul", ["last_row", "linear.past"], ["past_terms"]),
      op("ReduceSum", ["past_terms", "feature_axis"], ["past_part"], [int("keepdims", 0)]),
      op("Sum", ["window_part", "future_part", "past_part"], [OUTPUT_NAME]),
    ],
    initializer: [
      floatTensor("linear.weight", [h, w], weights.weight),
      floatTensor("linear.bias", [h], weights.bias),
      floatTensor("linear.future", [h, f], weights.future),
      floatTensor("linear.past", [h, f], weights.past),
      ...future.initializer,
      int64Tensor("last_start", [w - 1]),
    ],
    input: [batchedFloatValue(INPUT_NAME, w), covariatesValue(w + h, f)],
    output: [batchedFloatValue(OUTPUT_NAME, h)],
  };
  return encodeModel(graph, spec, VERSIONS, meta);
}
