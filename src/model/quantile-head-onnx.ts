import { OUTPUT_NAME, QUANTILES_NAME } from "./onnx-format.ts";
import { int, op } from "./onnx-graph.ts";
import { floatTensor, int64Tensor, type Onnx } from "./onnx-proto.ts";
import { gapMatrix, QUANTILE_HEAD_BIAS, QUANTILE_HEAD_WEIGHT, quantileHeadShapes } from "./quantile-head.ts";

/**
 * The quantile head in ONNX operators, on `features` [batch, width] and the point `output` [batch, horizon]:
 * Gemm → Softplus gives the gaps, a MatMul by `gapMatrix` lays them out from the point, so `quantiles`
 * [batch, horizon, Q] ascends along its last axis in the graph as in the engine.
 */
export function quantileHeadNodes(
  spec: { horizon: number; quantiles: readonly number[] },
  width: number,
  features: string,
  param: (name: string) => Float32Array,
): { node: Onnx.INodeProto[]; initializer: Onnx.ITensorProto[] } {
  const { horizon, quantiles } = spec;
  const q = quantiles.length;
  const [weight, bias] = quantileHeadShapes(horizon, width, quantiles);
  const initializer = [
    floatTensor(weight.name, weight.shape, param(QUANTILE_HEAD_WEIGHT)),
    floatTensor(bias.name, bias.shape, param(QUANTILE_HEAD_BIAS)),
    floatTensor("quantile_head.gap_matrix", [q - 1, q], gapMatrix(quantiles)),
    int64Tensor("quantile_head.gap_shape", [-1, horizon, q - 1]),
    int64Tensor("quantile_head.point_axis", [2]),
  ];
  const node = [
    op("Gemm", [features, QUANTILE_HEAD_WEIGHT, QUANTILE_HEAD_BIAS], ["quantile_pre"], [int("transB", 1)]),
    op("Softplus", ["quantile_pre"], ["quantile_gaps"]),
    op("Reshape", ["quantile_gaps", "quantile_head.gap_shape"], ["quantile_gaps_by_step"]), // [B, H, Q-1]
    op("MatMul", ["quantile_gaps_by_step", "quantile_head.gap_matrix"], ["quantile_offsets"]), // [B, H, Q]
    op("Unsqueeze", [OUTPUT_NAME, "quantile_head.point_axis"], ["quantile_point"]), // [B, H, 1]
    op("Add", ["quantile_point", "quantile_offsets"], [QUANTILES_NAME]),
  ];
  return { node, initializer };
}
