import { describe, expect, it } from "vitest";
import { Rng } from "../../src/model/index.ts";
import { createTransformer } from "../../src/model/transformer.ts";
import type { TransformerSpec } from "../../src/model/transformer-spec.ts";
import { backwardMse, gradientMismatch } from "./central-difference.ts";

const BATCH = 3;
// Float32 rounding puts noise near 1e-7 of the loss into each evaluation; a step this size keeps it small
// against the slope while the truncation error (order STEP²) stays near 1e-5.
const STEP = 3e-3;
const COORDINATES_PER_TENSOR = 10;
const TOLERANCE = 1e-2;

const CASES: { label: string; spec: TransformerSpec }[] = [
  {
    label: "1 layer, 1 head, horizon 1",
    spec: { architecture: "transformer", windowSize: 6, horizon: 1, dModel: 8, heads: 1, ffn: 12, layers: 1 },
  },
  {
    label: "3 layers, 8 heads, horizon 5, highway",
    spec: {
      architecture: "transformer",
      windowSize: 7,
      horizon: 5,
      dModel: 16,
      heads: 8,
      ffn: 10,
      layers: 3,
      highway: true,
    },
  },
  {
    label: "2 layers, 2 heads, horizon 5",
    spec: { architecture: "transformer", windowSize: 5, horizon: 5, dModel: 6, heads: 2, ffn: 9, layers: 2 },
  },
];

describe("Transformer gradients against central finite differences", () => {
  it.each(CASES)("agree for every parameter tensor ($label)", ({ spec }) => {
    const rng = new Rng(23);
    const network = createTransformer(spec, rng);
    // Away from PyTorch's zero initialization, so every bias and every term of the backward pass is exercised.
    for (const param of network.params) {
      for (let i = 0; i < param.data.length; i++) param.data[i] += rng.uniformRange(-0.3, 0.3);
    }
    const x = Float32Array.from({ length: BATCH * spec.windowSize }, () => rng.uniformRange(-1, 1));
    const y = Float32Array.from({ length: BATCH * spec.horizon }, () => rng.normal());
    const loss = backwardMse(network, x, y, BATCH);

    for (const param of network.params) {
      const picks = Math.min(COORDINATES_PER_TENSOR, param.data.length);
      const indices = rng.shuffle(Array.from({ length: param.data.length }, (_, i) => i)).slice(0, picks);
      const { error, norm } = gradientMismatch(param, indices, STEP, loss);
      expect(norm, `${param.name} has a gradient to check`).toBeGreaterThan(0);
      expect(error, param.name).toBeLessThan(TOLERANCE);
    }
  });
});
