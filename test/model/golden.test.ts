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
import { dataOf, type Golden, outputValues, readGolden } from "./golden-vectors.ts";
import { relativeError } from "./relative-error.ts";

const TOLERANCE = 1e-5;

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
    golden = readGolden("cnn_lstm_golden.json");
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
    expect(relativeError(output, outputValues(golden))).toBeLessThan(TOLERANCE);
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
