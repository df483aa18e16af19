import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import {
  createNetwork,
  exportOnnx,
  importOnnx,
  type NetworkSpec,
  pinballLoss,
  QuantileHead,
  Rng,
  setParams,
} from "../../src/model/index.ts";
import { gapMatrix } from "../../src/model/quantile-head.ts";
import { centralDifference } from "./central-difference.ts";
import { relativeError } from "./relative-error.ts";

const QUANTILES = [0.025, 0.1, 0.5, 0.9, 0.975];

const SPECS: NetworkSpec[] = [
  {
    architecture: "cnn_lstm",
    windowSize: 9,
    horizon: 3,
    convChannels: 4,
    kernelSize: 3,
    lstmHidden: 6,
    lstmLayers: 2,
    highway: true,
    quantiles: QUANTILES,
  },
  {
    architecture: "transformer",
    windowSize: 9,
    horizon: 3,
    dModel: 8,
    heads: 2,
    ffn: 12,
    layers: 2,
    quantiles: QUANTILES,
  },
];

/** A network of `spec` whose quantile head has random weights (a new head's weights are all zero). */
function randomHeaded(spec: NetworkSpec, rng: Rng) {
  const network = createNetwork(spec, rng);
  for (const param of network.quantileHead?.params ?? []) {
    for (let i = 0; i < param.data.length; i++) param.data[i] = rng.uniformRange(-1, 1);
  }
  return network;
}

describe("the quantile head", () => {
  it("lays gaps out from the median: the matrix for 0.1, 0.5, 0.9 written by hand", () => {
    // gap 0 lies between 0.1 and 0.5 (subtracted from the point for 0.1), gap 1 between 0.5 and 0.9.
    expect([...gapMatrix([0.1, 0.5, 0.9])]).toEqual([-1, 0, 0, 0, 0, 1]);
    expect([...gapMatrix([0.05, 0.25, 0.5, 0.75])]).toEqual([-1, 0, 0, 0, -1, -1, 0, 0, 0, 0, 0, 1]);
  });

  it("starts with every gap log 2 around the point, the median being the point itself", () => {
    const head = new QuantileHead(2, 2, [0.1, 0.5, 0.9]);
    head.allocate(1);
    head.forward(Float32Array.of(3, -4), 0, Float32Array.of(10, 20), 1);
    const ln2 = Math.log(2);
    const expected = [10 - ln2, 10, 10 + ln2, 20 - ln2, 20, 20 + ln2];
    [...head.out].forEach((value, i) => {
      expect(value).toBeCloseTo(expected[i], 5);
    });
  });

  it("never lets quantiles cross, whatever its weights, and keeps them ordered after clipping at 0", () => {
    const rng = new Rng(3);
    for (let trial = 0; trial < 20; trial++) {
      const head = new QuantileHead(4, 3, QUANTILES);
      for (const param of head.params) {
        for (let i = 0; i < param.data.length; i++) param.data[i] = rng.uniformRange(-30, 30);
      }
      head.allocate(5);
      const features = Float32Array.from({ length: 20 }, () => rng.normal() * 5);
      const point = Float32Array.from({ length: 15 }, () => rng.normal());
      head.forward(features, 0, point, 5);
      for (let row = 0; row < 15; row++) {
        const quantiles = [...head.out.subarray(row * 5, row * 5 + 5)];
        expect(quantiles[2]).toBe(point[row]);
        for (let j = 1; j < 5; j++) {
          expect(quantiles[j]).toBeGreaterThanOrEqual(quantiles[j - 1]);
          expect(Math.max(0, quantiles[j])).toBeGreaterThanOrEqual(Math.max(0, quantiles[j - 1]));
        }
      }
    }
  });

  it("has pinball-loss gradients that agree with central finite differences", () => {
    const rng = new Rng(11);
    const head = new QuantileHead(3, 2, QUANTILES);
    for (const param of head.params) {
      for (let i = 0; i < param.data.length; i++) param.data[i] = rng.uniformRange(-1, 1);
    }
    const batch = 4;
    head.allocate(batch);
    const features = Float32Array.from({ length: batch * 3 }, () => rng.normal());
    const point = Float32Array.from({ length: batch * 2 }, () => rng.normal());
    const target = Float32Array.from({ length: batch * 2 }, () => rng.normal() * 2);
    const loss = () => {
      head.forward(features, 0, point, batch);
      return pinballLoss(head.out, target, QUANTILES, batch * 2);
    };
    const dQuantiles = new Float32Array(batch * 2 * QUANTILES.length);
    for (const param of head.params) param.grad.fill(0);
    head.forward(features, 0, point, batch);
    pinballLoss(head.out, target, QUANTILES, batch * 2, dQuantiles);
    head.backward(dQuantiles);
    const step = 1e-3;
    for (const param of head.params) {
      for (let i = 0; i < param.data.length; i++) {
        expect(param.grad[i]).toBeCloseTo(centralDifference(param.data, i, step, loss), 3);
      }
    }
  });

  it("computes the pinball loss of a case worked by hand", () => {
    // y = 10; q0.1 = 12 (over by 2: 0.9·2 = 1.8), q0.5 = 10 (0), q0.9 = 7 (under by 3: 0.9·3 = 2.7).
    const loss = pinballLoss(Float32Array.of(12, 10, 7), Float32Array.of(10), [0.1, 0.5, 0.9], 1);
    expect(loss).toBeCloseTo((1.8 + 0 + 2.7) / 3, 6);
  });
});

describe.each(SPECS)("a $architecture with a quantile head in ONNX", (spec) => {
  it("gives onnxruntime's `quantiles` [batch, horizon, Q] the engine's within 1e-5, beside the same point", async () => {
    const rng = new Rng(7);
    const network = randomHeaded(spec, rng);
    const batch = 5;
    const x = Float32Array.from({ length: batch * spec.windowSize }, () => rng.normal());
    const point = network.forward(x, batch).slice();
    const quantiles = network.quantileHead?.out.slice(0, batch * spec.horizon * QUANTILES.length);
    const bytes = exportOnnx(spec, new Map(network.params.map((p) => [p.name, p.data])));
    const session = await ort.InferenceSession.create(bytes);
    try {
      const out = await session.run({ input: new ort.Tensor("float32", x, [batch, spec.windowSize]) });
      expect(out.quantiles.dims).toEqual([batch, spec.horizon, QUANTILES.length]);
      expect(relativeError(out.quantiles.data as Float32Array, quantiles as Float32Array)).toBeLessThan(1e-5);
      expect(relativeError(out.output.data as Float32Array, point)).toBeLessThan(1e-5);
    } finally {
      await session.release();
    }
  });

  it("imports back with its quantiles and head weights, forecasting the same quantiles", () => {
    const rng = new Rng(8);
    const network = randomHeaded(spec, rng);
    const imported = importOnnx(exportOnnx(spec, new Map(network.params.map((p) => [p.name, p.data]))));
    expect(imported.spec).toEqual(spec);
    const restored = createNetwork(imported.spec, new Rng(1));
    setParams(restored, imported.params);
    const x = Float32Array.from({ length: 2 * spec.windowSize }, () => rng.normal());
    network.forward(x, 2);
    restored.forward(x, 2);
    expect(restored.quantileHead?.out).toEqual(network.quantileHead?.out);
  });

  it("rejects quantiles that do not ascend or lack the median, naming the rule", () => {
    expect(() => createNetwork({ ...spec, quantiles: [0.1, 0.9] }, new Rng(1))).toThrow(/median, 0.5/);
    expect(() => exportOnnx({ ...spec, quantiles: [0.1, 0.9] }, new Map())).toThrow(/median, 0.5/);
    expect(() => exportOnnx({ ...spec, quantiles: [0.5, 0.1] }, new Map())).toThrow(/ascend/);
    expect(() => exportOnnx({ ...spec, quantiles: [0.5, 1] }, new Map())).toThrow(/below 1/);
  });
});
