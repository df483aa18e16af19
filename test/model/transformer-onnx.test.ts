import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { createNetwork, Rng } from "../../src/model/index.ts";
import { exportOnnx } from "../../src/model/onnx-export.ts";
import { onnx } from "../../src/model/onnx-proto.ts";
import type { TransformerSpec } from "../../src/model/transformer-spec.ts";
import { outputValues, readGolden } from "./golden-vectors.ts";
import { relativeError } from "./relative-error.ts";

const golden = readGolden("transformer_golden.json");
const { window, d_model, heads, ffn, layers, horizon } = golden.shapes;
const spec: TransformerSpec = {
  architecture: "transformer",
  windowSize: window,
  horizon,
  dModel: d_model,
  heads,
  ffn,
  layers,
};
const params = new Map(
  Object.entries(golden.initial_params).map(([name, t]) => [name, Float32Array.from(t.data)]),
);

describe("Transformer ONNX export", () => {
  it("computes PyTorch's golden output in onnxruntime", async () => {
    const [batch] = golden.x.shape;
    const session = await ort.InferenceSession.create(exportOnnx(spec, params));
    try {
      const input = new ort.Tensor("float32", Float32Array.from(golden.x.data), [batch, window]);
      const { output } = await session.run({ input });
      expect(output.dims).toEqual([batch, horizon]);
      expect(relativeError(output.data as Float32Array, outputValues(golden))).toBeLessThan(1e-5);
    } finally {
      await session.release();
    }
  });

  it("is opset 17 with LayerNormalization, and attention from MatMul, Softmax and Transpose", () => {
    const model = onnx.ModelProto.decode(exportOnnx(spec, params));
    expect(model.opsetImport.map(({ domain, version }) => ({ domain, version: Number(version) }))).toEqual([
      { domain: "", version: 17 },
    ]);
    const nodes = model.graph?.node ?? [];
    const ops = new Set(nodes.map((node) => node.opType));
    for (const op of ["LayerNormalization", "MatMul", "Softmax", "Transpose"]) expect(ops).toContain(op);
    expect(ops).not.toContain("Attention");
    const norms = nodes.filter((node) => node.opType === "LayerNormalization");
    expect(norms).toHaveLength(2 * layers);
    for (const norm of norms) {
      expect(norm.attribute?.find((a) => a.name === "epsilon")?.f).toBeCloseTo(1e-5, 10);
    }
  });

  it("stores in_proj_weight as PyTorch stacks it, q, k and v", () => {
    const model = onnx.ModelProto.decode(exportOnnx(spec, params));
    const name = "encoder.layers.1.self_attn.in_proj_weight";
    const tensor = model.graph?.initializer?.find((t) => t.name === name);
    expect(tensor?.dims?.map(Number)).toEqual([3 * d_model, d_model]);
  });

  // The last layer's graph computes the last position alone, the others every position: both kinds, and a
  // graph with the last layer only, must match the engine, which computes every position.
  it.each([
    { layers: 1, heads: 1, horizon: 1 },
    { layers: 3, heads: 8, horizon: 5 },
  ])("matches the engine with $layers layers, $heads heads, horizon $horizon", async (sizes) => {
    const small: TransformerSpec = { ...spec, ...sizes, windowSize: 7, dModel: 16, ffn: 24, highway: true };
    const rng = new Rng(31);
    const network = createNetwork(small, rng);
    const batch = 5;
    const x = Float32Array.from({ length: batch * small.windowSize }, () => rng.normal());
    const expected = network.forward(x, batch).slice();
    const values = new Map(network.params.map((p) => [p.name, p.data]));
    const session = await ort.InferenceSession.create(exportOnnx(small, values));
    try {
      const { output } = await session.run({
        input: new ort.Tensor("float32", x, [batch, small.windowSize]),
      });
      expect(output.dims).toEqual([batch, small.horizon]);
      expect(relativeError(output.data as Float32Array, expected)).toBeLessThan(1e-5);
    } finally {
      await session.release();
    }
  });
});
