import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import {
  Adam,
  type CnnLstmSpec,
  createCnnLstm,
  mseLoss,
  type Network,
  Rng,
  setParams,
} from "../../src/model/index.ts";
import { relativeError } from "./relative-error.ts";

/** PyTorch float64 results for the seed model (see ../shared/reference/README.md). */
interface Golden {
  shapes: { batch: number; window: number; conv_channels: number; lstm_hidden: number; kernel_size: number };
  initial_params: Record<string, { shape: number[]; data: number[] }>;
  x: { shape: number[]; data: number[] };
  y: { shape: number[]; data: number[] };
  output: number[];
  mse_loss: number;
  grads: Record<string, { shape: number[]; data: number[] }>;
  adam: {
    lr: number;
    betas: [number, number];
    eps: number;
    steps: number;
    losses_before_each_step: number[];
    params_after: Record<string, { shape: number[]; data: number[] }>;
  };
}

// The repository's sibling `shared/` folder, as laid out here and in CI.
const GOLDEN_URL = new URL("../../../shared/reference/cnn_lstm_golden.json", import.meta.url);
const TOLERANCE = 1e-5;

function dataOf(tensors: Golden["initial_params"]): Record<string, number[]> {
  return Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, t.data]));
}

describe("CNN-LSTM against PyTorch's float64 golden vectors", () => {
  let golden: Golden;
  let spec: CnnLstmSpec;
  let x: Float32Array;
  let y: Float32Array;
  const fresh = (): Network => {
    const network = createCnnLstm(spec, new Rng(1));
    setParams(network, dataOf(golden.initial_params));
    return network;
  };

  beforeAll(() => {
    golden = JSON.parse(readFileSync(GOLDEN_URL, "utf8"));
    const { window, conv_channels, kernel_size, lstm_hidden } = golden.shapes;
    spec = {
      architecture: "cnn_lstm",
      windowSize: window,
      horizon: 1,
      convChannels: conv_channels,
      kernelSize: kernel_size,
      lstmHidden: lstm_hidden,
      lstmLayers: 1,
    };
    x = Float32Array.from(golden.x.data);
    y = Float32Array.from(golden.y.data);
  });

  it("uses PyTorch's parameter names and shapes", () => {
    const network = fresh();
    const expected = Object.entries(golden.initial_params).map(([name, t]) => ({ name, shape: t.shape }));
    expect(network.params.map(({ name, shape }) => ({ name, shape }))).toEqual(expected);
  });

  it("matches the forward output, the loss and every gradient", () => {
    const network = fresh();
    const batch = golden.shapes.batch;
    const output = network.forward(x, batch);
    expect(relativeError(output, golden.output)).toBeLessThan(TOLERANCE);
    const dOut = new Float32Array(batch);
    const loss = mseLoss(output, y, batch, dOut);
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
    const batch = golden.shapes.batch;
    const dOut = new Float32Array(batch);
    for (let step = 0; step < steps; step++) {
      network.zeroGrad();
      const loss = mseLoss(network.forward(x, batch), y, batch, dOut);
      expect(Math.abs(loss - losses_before_each_step[step]) / losses_before_each_step[step]).toBeLessThan(
        TOLERANCE,
      );
      network.backward(dOut);
      optimizer.step();
    }
    for (const param of network.params) {
      expect(relativeError(param.data, params_after[param.name].data), param.name).toBeLessThan(TOLERANCE);
    }
  });
});
