import { describe, expect, it } from "vitest";
import { Adam, mseLoss, type Network, Rng, setParams } from "../../src/model/index.ts";
import { createTransformer } from "../../src/model/transformer.ts";
import type { TransformerSpec } from "../../src/model/transformer-spec.ts";
import { dataOf, outputValues, readGolden } from "./golden-vectors.ts";
import { relativeError } from "./relative-error.ts";

const TOLERANCE = 1e-5;
const golden = readGolden("transformer_golden.json");
const { batch, window, d_model, heads, ffn, layers, horizon } = golden.shapes;
const spec: TransformerSpec = {
  architecture: "transformer",
  windowSize: window,
  horizon,
  dModel: d_model,
  heads,
  ffn,
  layers,
};
const x = Float32Array.from(golden.x.data);
const y = Float32Array.from(golden.y.data);

function fresh(): Network {
  const network = createTransformer(spec, new Rng(1));
  setParams(network, dataOf(golden.initial_params));
  return network;
}

describe("Transformer against PyTorch's float64 golden vectors", () => {
  it("uses PyTorch's parameter names, shapes and order", () => {
    const expected = Object.entries(golden.initial_params).map(([name, t]) => ({ name, shape: t.shape }));
    expect(fresh().params.map(({ name, shape }) => ({ name, shape }))).toEqual(expected);
  });

  it("matches the forward output, the loss and every gradient", () => {
    const network = fresh();
    const count = batch * horizon;
    const output = network.forward(x, batch);
    expect(relativeError(output, outputValues(golden))).toBeLessThan(TOLERANCE);
    const dOut = new Float32Array(count);
    const loss = mseLoss(output, y, count, dOut);
    expect(Math.abs(loss - golden.mse_loss) / golden.mse_loss).toBeLessThan(TOLERANCE);
    network.zeroGrad();
    network.backward(dOut);
    for (const param of network.params) {
      expect(relativeError(param.grad, golden.grads[param.name].data), param.name).toBeLessThan(TOLERANCE);
    }
  });

  it("matches every parameter after three Adam steps", () => {
    const network = fresh();
    const { lr, betas, eps, steps, losses_before_each_step, params_after } = golden.adam;
    const optimizer = new Adam(network.params, { lr, betas, eps });
    const count = batch * horizon;
    const dOut = new Float32Array(count);
    for (let step = 0; step < steps; step++) {
      network.zeroGrad();
      const loss = mseLoss(network.forward(x, batch), y, count, dOut);
      const expected = losses_before_each_step[step];
      expect(Math.abs(loss - expected) / expected, `loss before step ${step + 1}`).toBeLessThan(TOLERANCE);
      network.backward(dOut);
      optimizer.step();
    }
    for (const param of network.params) {
      expect(relativeError(param.data, params_after[param.name].data), param.name).toBeLessThan(TOLERANCE);
    }
  });
});
