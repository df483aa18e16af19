import { LAYER_NORM_EPS } from "./layer-norm.ts";
import { INPUT_NAME } from "./onnx-format.ts";
import { float, type GraphBody, headNodes, int, ints, op } from "./onnx-graph.ts";
import { floatTensor, int64Tensor, type Onnx } from "./onnx-proto.ts";
import { sinusoidalPositions } from "./positional-encoding.ts";
import { encoderLayerPrefix, type TransformerSpec } from "./transformer-spec.ts";

/**
 * The encoder in opset-17 operators: rows `[batch · window, d]` through Gemm for every linear layer (PyTorch's
 * weights as they are), attention from Split, Reshape, Transpose, MatMul and Softmax (onnxruntime's kernels
 * for the newer Attention operator are not assured), LayerNormalization, then the last position into the head.
 */
export function transformerGraph(spec: TransformerSpec, param: (name: string) => Float32Array): GraphBody {
  const { windowSize: t, dModel: d, heads, layers } = spec;
  const dh = d / heads;
  const transB = [int("transB", 1)];
  const weights = (name: string, dims: number[]) => floatTensor(name, dims, param(name));
  const initializer: Onnx.ITensorProto[] = [
    int64Tensor("shape_rows_1", [-1, 1]),
    int64Tensor("shape_rows_d", [-1, d]),
    int64Tensor("shape_windows", [-1, t, d]),
    int64Tensor("shape_heads", [-1, t, heads, dh]),
    int64Tensor("split_qkv", [d, d, d]),
    int64Tensor("last_step", [t - 1]),
    floatTensor("positions", [t, d], sinusoidalPositions(t, d)),
    floatTensor("attention_scale", [1], Float32Array.of(1 / Math.sqrt(dh))),
    weights("embed.weight", [d, 1]),
    weights("embed.bias", [d]),
  ];
  const node: Onnx.INodeProto[] = [
    op("Reshape", [INPUT_NAME, "shape_rows_1"], ["steps"]), // [B·T, 1]
    op("Gemm", ["steps", "embed.weight", "embed.bias"], ["embedded"], transB),
    op("Reshape", ["embedded", "shape_windows"], ["embedded_windows"]), // [B, T, d]
    op("Add", ["embedded_windows", "positions"], ["positioned"]),
    op("Reshape", ["positioned", "shape_rows_d"], ["x_l0"]),
  ];

  for (let layer = 0; layer < layers; layer++) {
    const p = encoderLayerPrefix(layer);
    const a = `${p}.self_attn`;
    const x = `x_l${layer}`;
    const v = (name: string) => `${name}_l${layer}`;
    initializer.push(
      weights(`${a}.in_proj_weight`, [3 * d, d]),
      weights(`${a}.in_proj_bias`, [3 * d]),
      weights(`${a}.out_proj.weight`, [d, d]),
      weights(`${a}.out_proj.bias`, [d]),
      weights(`${p}.linear1.weight`, [spec.ffn, d]),
      weights(`${p}.linear1.bias`, [spec.ffn]),
      weights(`${p}.linear2.weight`, [d, spec.ffn]),
      weights(`${p}.linear2.bias`, [d]),
      weights(`${p}.norm1.weight`, [d]),
      weights(`${p}.norm1.bias`, [d]),
      weights(`${p}.norm2.weight`, [d]),
      weights(`${p}.norm2.bias`, [d]),
    );
    const layerNorm = (input: string, norm: string, output: string) =>
      op(
        "LayerNormalization",
        [input, `${p}.${norm}.weight`, `${p}.${norm}.bias`],
        [output],
        [int("axis", -1), float("epsilon", LAYER_NORM_EPS)],
      );
    const heads = (input: string, output: string, perm: number[]) => [
      op("Reshape", [input, "shape_heads"], [`${output}_split`]), // [B, T, heads, dh]
      op("Transpose", [`${output}_split`], [output], [ints("perm", perm)]),
    ];
    node.push(
      op("Gemm", [x, `${a}.in_proj_weight`, `${a}.in_proj_bias`], [v("qkv")], transB),
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
      op("Gemm", [v("context"), `${a}.out_proj.weight`, `${a}.out_proj.bias`], [v("attention")], transB),
      op("Add", [x, v("attention")], [v("residual1")]),
      layerNorm(v("residual1"), "norm1", v("normed1")),
      op("Gemm", [v("normed1"), `${p}.linear1.weight`, `${p}.linear1.bias`], [v("ffn_in")], transB),
      op("Relu", [v("ffn_in")], [v("ffn_hidden")]),
      op("Gemm", [v("ffn_hidden"), `${p}.linear2.weight`, `${p}.linear2.bias`], [v("ffn_out")], transB),
      op("Add", [v("normed1"), v("ffn_out")], [v("residual2")]),
      layerNorm(v("residual2"), "norm2", `x_l${layer + 1}`),
    );
  }

  node.push(
    op("Reshape", [`x_l${layers}`, "shape_windows"], ["encoded"]), // [B, T, d]
    op("Gather", ["encoded", "last_step"], ["last_position"], [int("axis", 1)]), // [B, 1, d]
    op("Reshape", ["last_position", "shape_rows_d"], ["last_hidden"]),
  );
  const head = headNodes(spec, param, { prefix: "head", features: d, last: "last_hidden" });
  node.push(...head.node);
  initializer.push(...head.initializer);
  return { name: "salescast_transformer", node, initializer };
}
