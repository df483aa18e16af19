import { featureCount } from "./feature-input.ts";
import { LAYER_NORM_EPS } from "./layer-norm.ts";
import { FEATURES_NAME, INPUT_NAME } from "./onnx-format.ts";
import { float, type GraphBody, headNodes, int, ints, op, windowWithFeatures } from "./onnx-graph.ts";
import { floatTensor, int64Tensor, type Onnx, onnx } from "./onnx-proto.ts";
import { sinusoidalPositions } from "./positional-encoding.ts";
import { encoderLayerPrefix, type TransformerSpec } from "./transformer-spec.ts";

/**
 * The encoder in opset-17 operators: rows `[batch · window, d]` through Gemm for every linear layer (PyTorch's
 * weights as they are), attention from Split, Reshape, Transpose, MatMul and Softmax (onnxruntime's kernels
 * for the newer Attention operator are not assured), LayerNormalization; the last layer computes the last
 * position alone, which feeds the head.
 */
export function transformerGraph(spec: TransformerSpec, param: (name: string) => Float32Array): GraphBody {
  const { windowSize: t, dModel: d, heads, layers } = spec;
  const inputs = 1 + featureCount(spec);
  const scale = 1 / Math.sqrt(d / heads);
  const initializer: Onnx.ITensorProto[] = [
    int64Tensor("shape_rows_d", [-1, d]),
    int64Tensor("shape_windows", [-1, t, d]),
    int64Tensor("shape_one_step", [-1, 1, d]),
    int64Tensor("split_q_kv", [d, 2 * d]),
    int64Tensor("split_kv", [d, d]),
    int64Tensor("axes_steps", [1]),
    int64Scalar("last_step", t - 1),
    floatTensor("positions", [t, d], sinusoidalPositions(t, d)),
    floatTensor("head_sums", [d, heads], headIndicator(d, heads, scale, false)),
    floatTensor("head_spread", [heads, d], headIndicator(d, heads, 1, true)),
    floatTensor("embed.weight", [d, inputs], param("embed.weight")),
    floatTensor("embed.bias", [d], param("embed.bias")),
  ];
  if (layers > 1) {
    initializer.push(
      int64Tensor("shape_heads", [-1, t, heads, d / heads]),
      int64Tensor("split_qkv", [d, d, d]),
      floatTensor("attention_scale", [1], Float32Array.of(scale)),
    );
  }
  const node: Onnx.INodeProto[] = [op("Add", ["positions", "embed.bias"], ["position_bias"])];
  if (inputs > 1) {
    // Linear(1 + F → d) on each step's value and features: [B, T, 1 + F] times the weight's transpose.
    const joined = windowWithFeatures(t, 2, "steps");
    initializer.push(...joined.initializer);
    node.push(
      ...joined.node,
      op("Transpose", ["embed.weight"], ["embed_columns"], [ints("perm", [1, 0])]),
      op("MatMul", ["steps", "embed_columns"], ["embedded"]), // [B, T, d]
    );
  } else {
    // Linear(1 → d) of one value is an outer product: each step times the weight column, plus bias and
    // position (those two summed once, when onnxruntime folds the constants).
    initializer.push(int64Tensor("shape_steps", [-1, t, 1]), int64Tensor("shape_d", [d]));
    node.push(
      op("Reshape", ["embed.weight", "shape_d"], ["embed_row"]),
      op("Reshape", [INPUT_NAME, "shape_steps"], ["steps"]), // [B, T, 1]
      op("Mul", ["steps", "embed_row"], ["embedded"]), // [B, T, d]
    );
  }
  node.push(
    op("Add", ["embedded", "position_bias"], ["positioned"]),
    op("Reshape", ["positioned", "shape_rows_d"], ["x_l0"]), // [B·T, d]
  );
  for (let layer = 0; layer < layers; layer++) {
    const p = encoderLayerPrefix(layer);
    initializer.push(...layerWeights(spec, p, param));
    const last = layer === layers - 1;
    node.push(...(last ? lastLayerNodes(p, layer) : fullLayerNodes(p, layer)));
  }
  const head = headNodes(spec, param, { prefix: "head", features: d, last: FEATURES_NAME });
  node.push(...head.node);
  initializer.push(...head.initializer);
  return { name: "salescast_transformer", node, initializer };
}

/** A 0-d int64 tensor, so Gather by it drops the axis. */
function int64Scalar(name: string, value: number): Onnx.ITensorProto {
  return { name, dims: [], dataType: onnx.TensorProto.DataType.INT64, int64Data: [value] };
}

/**
 * The 0/1 map between the d channels and the heads they belong to, times `scale`: `[d, heads]`, or its
 * transpose `[heads, d]` to spread one value per head over the head's channels.
 */
function headIndicator(d: number, heads: number, scale: number, spread: boolean): Float32Array {
  const dh = d / heads;
  const values = new Float32Array(d * heads);
  for (let c = 0; c < d; c++) {
    const h = Math.floor(c / dh);
    values[spread ? h * d + c : c * heads + h] = scale;
  }
  return values;
}

function layerWeights(spec: TransformerSpec, p: string, param: (name: string) => Float32Array) {
  const { dModel: d, ffn } = spec;
  const weights = (name: string, dims: number[]) => floatTensor(name, dims, param(name));
  const a = `${p}.self_attn`;
  return [
    weights(`${a}.in_proj_weight`, [3 * d, d]),
    weights(`${a}.in_proj_bias`, [3 * d]),
    weights(`${a}.out_proj.weight`, [d, d]),
    weights(`${a}.out_proj.bias`, [d]),
    weights(`${p}.linear1.weight`, [ffn, d]),
    weights(`${p}.linear1.bias`, [ffn]),
    weights(`${p}.linear2.weight`, [d, ffn]),
    weights(`${p}.linear2.bias`, [d]),
    weights(`${p}.norm1.weight`, [d]),
    weights(`${p}.norm1.bias`, [d]),
    weights(`${p}.norm2.weight`, [d]),
    weights(`${p}.norm2.bias`, [d]),
  ];
}

const TRANS_B = [int("transB", 1)];

/** Residual, norm1, feed-forward, residual, norm2: from `x` and the attention output to `output`. */
function addAndFeedForward(
  p: string,
  x: string,
  attention: string,
  output: string,
  v: (name: string) => string,
) {
  const layerNorm = (input: string, norm: string, out: string) =>
    op(
      "LayerNormalization",
      [input, `${p}.${norm}.weight`, `${p}.${norm}.bias`],
      [out],
      [int("axis", -1), float("epsilon", LAYER_NORM_EPS)],
    );
  return [
    op("Add", [x, attention], [v("residual1")]),
    layerNorm(v("residual1"), "norm1", v("normed1")),
    op("Gemm", [v("normed1"), `${p}.linear1.weight`, `${p}.linear1.bias`], [v("ffn_in")], TRANS_B),
    op("Relu", [v("ffn_in")], [v("ffn_hidden")]),
    op("Gemm", [v("ffn_hidden"), `${p}.linear2.weight`, `${p}.linear2.bias`], [v("ffn_out")], TRANS_B),
    op("Add", [v("normed1"), v("ffn_out")], [v("residual2")]),
    layerNorm(v("residual2"), "norm2", output),
  ];
}

/** An encoder layer over every position: rows `x_l{layer}` [B·T, d] to `x_l{layer + 1}`. */
function fullLayerNodes(p: string, layer: number): Onnx.INodeProto[] {
  const a = `${p}.self_attn`;
  const x = `x_l${layer}`;
  const v = (name: string) => `${name}_l${layer}`;
  const heads = (input: string, output: string, perm: number[]) => [
    op("Reshape", [input, "shape_heads"], [`${output}_split`]), // [B, T, heads, dh]
    op("Transpose", [`${output}_split`], [output], [ints("perm", perm)]),
  ];
  return [
    op("Gemm", [x, `${a}.in_proj_weight`, `${a}.in_proj_bias`], [v("qkv")], TRANS_B),
    op("Split", [v("qkv"), "split_qkv"], [v("q"), v("k"), v("v")], [int("axis", 1)]),
    ...heads(v("q"), v("q_heads"), [0, 2, 1, 3]), // [B, heads, T, dh]
    ...heads(v("k"), v("k_heads_t"), [0, 2, 3, 1]), // [B, heads, dh, T]
    ...heads(v("v"), v("v_heads"), [0, 2, 1, 3]),
    op("MatMul", [v("q_heads"), v("k_heads_t")], [v("scores")]),
    op("Mul", [v("scores"), "attention_scale"], [v("scaled")]),
    op("Softmax", [v("scaled")], [v("probs")], [int("axis", -1)]),
    op("MatMul", [v("probs"), v("v_heads")], [v("context_heads")]),
    op("Transpose", [v("context_heads")], [v("context_steps")], [ints("perm", [0, 2, 1, 3])]),
    op("Reshape", [v("context_steps"), "shape_rows_d"], [v("context")]),
    op("Gemm", [v("context"), `${a}.out_proj.weight`, `${a}.out_proj.bias`], [v("attention")], TRANS_B),
    ...addAndFeedForward(p, x, v("attention"), `x_l${layer + 1}`, v),
  ];
}

/**
 * The last encoder layer, for the last position alone: the head reads nothing else, and every position's
 * output depends only on its own query, so the other positions' queries, attention and feed-forward are skipped.
 * Keys and values still come from every position. With one query, each head's scores are channel products
 * summed per head (a product with the 0/1 head map), and the context is the probabilities spread back over
 * the head's channels, times the values, summed over positions: no per-head matrix products.
 */
function lastLayerNodes(p: string, layer: number): Onnx.INodeProto[] {
  const a = `${p}.self_attn`;
  const x = `x_l${layer}`;
  const v = (name: string) => `${name}_l${layer}`;
  return [
    // The stacked projection split once into q and (k, v) weights: constants, folded at load.
    op("Split", [`${a}.in_proj_weight`, "split_q_kv"], [v("w_q"), v("w_kv")], [int("axis", 0)]),
    op("Split", [`${a}.in_proj_bias`, "split_q_kv"], [v("b_q"), v("b_kv")], [int("axis", 0)]),
    op("Reshape", [x, "shape_windows"], [v("windows")]), // [B, T, d]
    op("Gather", [v("windows"), "last_step"], [v("last")], [int("axis", 1)]), // [B, d]
    op("Gemm", [v("last"), v("w_q"), v("b_q")], [v("q")], TRANS_B),
    op("Gemm", [x, v("w_kv"), v("b_kv")], [v("kv")], TRANS_B), // [B·T, 2d]
    op("Split", [v("kv"), "split_kv"], [v("k"), v("v")], [int("axis", 1)]),
    op("Reshape", [v("k"), "shape_windows"], [v("k_windows")]),
    op("Reshape", [v("q"), "shape_one_step"], [v("q_step")]), // [B, 1, d]
    op("Mul", [v("k_windows"), v("q_step")], [v("qk")]), // [B, T, d]
    op("MatMul", [v("qk"), "head_sums"], [v("scores")]), // [B, T, heads], scaled
    op("Softmax", [v("scores")], [v("probs")], [int("axis", 1)]),
    op("MatMul", [v("probs"), "head_spread"], [v("probs_channels")]), // [B, T, d]
    op("Reshape", [v("v"), "shape_windows"], [v("v_windows")]),
    op("Mul", [v("probs_channels"), v("v_windows")], [v("weighted")]),
    op("ReduceSum", [v("weighted"), "axes_steps"], [v("context")], [int("keepdims", 0)]), // [B, d]
    op("Gemm", [v("context"), `${a}.out_proj.weight`, `${a}.out_proj.bias`], [v("attention")], TRANS_B),
    ...addAndFeedForward(p, v("last"), v("attention"), FEATURES_NAME, v),
  ];
}
