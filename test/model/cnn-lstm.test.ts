import { describe, expect, it } from "vitest";
import {
  type CnnLstmSpec,
  cnnLstmParamShapes,
  createCnnLstm,
  Rng,
  setParams,
} from "../../src/model/index.ts";

const SPEC: CnnLstmSpec = {
  architecture: "cnn_lstm",
  windowSize: 10,
  horizon: 2,
  convChannels: 5,
  kernelSize: 3,
  lstmHidden: 7,
  lstmLayers: 2,
};

function randomInputs(rng: Rng, batch: number): Float32Array {
  return Float32Array.from({ length: batch * SPEC.windowSize }, () => rng.normal());
}

describe("createCnnLstm", () => {
  it("creates the parameters of cnnLstmParamShapes, in order", () => {
    const network = createCnnLstm(SPEC, new Rng(0));
    expect(network.params.map(({ name, shape }) => ({ name, shape }))).toEqual(cnnLstmParamShapes(SPEC));
    for (const param of network.params) {
      expect(param.data.length).toBe(param.shape.reduce((a, b) => a * b, 1));
      expect(param.grad.length).toBe(param.data.length);
    }
  });

  it("initializes as PyTorch: U(±1/√fan_in) for conv and fc, U(±1/√hidden) for the LSTM", () => {
    const network = createCnnLstm(SPEC, new Rng(0));
    const bounds: Record<string, number> = {
      conv: 1 / Math.sqrt(SPEC.kernelSize),
      lstm: 1 / Math.sqrt(SPEC.lstmHidden),
      fc: 1 / Math.sqrt(SPEC.lstmHidden),
    };
    for (const { name, data } of network.params) {
      const bound = bounds[name.split(".")[0]];
      const largest = Math.max(...data.map(Math.abs));
      expect(largest, name).toBeLessThanOrEqual(bound);
      if (data.length >= 20) expect(largest, name).toBeGreaterThan(0.8 * bound);
    }
  });

  it("draws the initial weights from the seed", () => {
    const values = (seed: number) => createCnnLstm(SPEC, new Rng(seed)).params.flatMap((p) => [...p.data]);
    expect(values(3)).toEqual(values(3));
    expect(values(3)).not.toEqual(values(4));
  });

  it("rejects impossible specs", () => {
    expect(() => createCnnLstm({ ...SPEC, kernelSize: 11 }, new Rng(0))).toThrow(/kernelSize/);
    expect(() => createCnnLstm({ ...SPEC, lstmLayers: 0 }, new Rng(0))).toThrow(/lstmLayers/);
    expect(() => createCnnLstm({ ...SPEC, lstmHidden: 2.5 }, new Rng(0))).toThrow(/lstmHidden/);
  });
});

describe("CNN-LSTM network", () => {
  it("computes each window alone: results do not depend on the batch or on earlier, larger batches", () => {
    const rng = new Rng(1);
    const network = createCnnLstm(SPEC, rng);
    const x = randomInputs(rng, 9);
    const pair = network.forward(x, 2).slice();
    expect(pair.length).toBe(2 * SPEC.horizon);
    const nine = network.forward(x, 9).slice();
    expect(nine.length).toBe(9 * SPEC.horizon);
    expect([...nine.subarray(0, pair.length)]).toEqual([...pair]);
    for (let b = 0; b < 9; b++) {
      const single = network.forward(x.subarray(b * SPEC.windowSize), 1);
      expect([...single]).toEqual([...nine.subarray(b * SPEC.horizon, (b + 1) * SPEC.horizon)]);
    }
    expect([...network.forward(x, 2)]).toEqual([...pair]);
  });

  it("gives the same gradients after the workspace grew for a larger batch", () => {
    const rng = new Rng(2);
    const x = randomInputs(rng, 12);
    const dOut = Float32Array.from({ length: 12 * SPEC.horizon }, () => rng.normal());
    const gradients = (network: ReturnType<typeof createCnnLstm>) => {
      network.zeroGrad();
      network.forward(x, 3);
      network.backward(dOut);
      return network.params.map((p) => [...p.grad]);
    };
    const fresh = createCnnLstm(SPEC, new Rng(5));
    const grown = createCnnLstm(SPEC, new Rng(5));
    grown.forward(x, 12);
    expect(gradients(grown)).toEqual(gradients(fresh));
  });

  it("accumulates gradients until zeroGrad", () => {
    const rng = new Rng(3);
    const network = createCnnLstm(SPEC, rng);
    const x = randomInputs(rng, 4);
    const dOut = Float32Array.from({ length: 4 * SPEC.horizon }, () => rng.normal());
    network.zeroGrad();
    network.forward(x, 4);
    network.backward(dOut);
    const once = network.params.map((p) => [...p.grad]);
    network.backward(dOut);
    network.params.forEach((p, i) => {
      p.grad.forEach((g, j) => {
        expect(g).toBeCloseTo(2 * once[i][j], 6);
      });
    });
    network.zeroGrad();
    for (const p of network.params) expect(p.grad.every((g) => g === 0)).toBe(true);
  });

  it("rejects a short input, a bad batch and a backward pass without a forward one", () => {
    const network = createCnnLstm(SPEC, new Rng(0));
    expect(() => network.backward(new Float32Array(SPEC.horizon))).toThrow(/before forward/);
    expect(() => network.forward(new Float32Array(SPEC.windowSize), 2)).toThrow(RangeError);
    expect(() => network.forward(new Float32Array(SPEC.windowSize), 0)).toThrow(RangeError);
    network.forward(new Float32Array(2 * SPEC.windowSize), 2);
    expect(() => network.backward(new Float32Array(SPEC.horizon))).toThrow(RangeError);
  });
});

describe("setParams", () => {
  const values = (spec: CnnLstmSpec, fill: number) =>
    new Map(
      cnnLstmParamShapes(spec).map(({ name, shape }) => [
        name,
        new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(fill),
      ]),
    );

  it("copies every parameter from a map or a record", () => {
    const network = createCnnLstm(SPEC, new Rng(0));
    setParams(network, values(SPEC, 0.25));
    for (const p of network.params) expect(p.data.every((v) => v === 0.25)).toBe(true);
    setParams(network, Object.fromEntries(values(SPEC, -1)));
    for (const p of network.params) expect(p.data.every((v) => v === -1)).toBe(true);
  });

  it("changes nothing and names the problem when a parameter is missing, unknown or misshapen", () => {
    const network = createCnnLstm(SPEC, new Rng(0));
    const before = network.params.map((p) => [...p.data]);
    const missing = values(SPEC, 1);
    missing.delete("fc.bias");
    expect(() => setParams(network, missing)).toThrow(/fc\.bias is missing/);
    const unknown = values(SPEC, 1).set("lstm.weight_ih_l9", new Float32Array(1));
    expect(() => setParams(network, unknown)).toThrow(/unknown parameters: lstm\.weight_ih_l9/);
    const misshapen = values(SPEC, 1).set("conv.weight", new Float32Array(2));
    expect(() => setParams(network, misshapen)).toThrow(/conv\.weight has 2 values, expected 15/);
    expect(network.params.map((p) => [...p.data])).toEqual(before);
  });
});
