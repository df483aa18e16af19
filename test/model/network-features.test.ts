import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import {
  COVARIATES_INPUT_NAME,
  createNetwork,
  exportOnnx,
  importOnnx,
  inputWidth,
  type Network,
  type NetworkSpec,
  Rng,
} from "../../src/model/index.ts";
import { backwardMse, gradientMismatch } from "./central-difference.ts";

const FEATURES = 2;
const CNN_LSTM: NetworkSpec = {
  architecture: "cnn_lstm",
  windowSize: 7,
  horizon: 3,
  convChannels: 4,
  kernelSize: 3,
  lstmHidden: 5,
  lstmLayers: 2,
  features: FEATURES,
};
const TRANSFORMER: NetworkSpec = {
  architecture: "transformer",
  windowSize: 7,
  horizon: 3,
  dModel: 8,
  heads: 2,
  ffn: 6,
  layers: 1,
  features: FEATURES,
};

function randomRows(spec: NetworkSpec, batch: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: batch * inputWidth(spec) }, () => rng.uniformRange(-1, 1));
}

/** Index of feature f of period t (0 = the window's first; windowSize = the horizon's first) in row b. */
function featureIndex(spec: NetworkSpec, b: number, t: number, f: number): number {
  return b * inputWidth(spec) + spec.windowSize + t * FEATURES + f;
}

/** Runs input rows `x` through a graph: their windows as `input`, their features as `covariates`. */
function runGraph(session: ort.InferenceSession, spec: NetworkSpec, x: Float32Array, batch: number) {
  const width = inputWidth(spec);
  const rest = width - spec.windowSize;
  const window = new Float32Array(batch * spec.windowSize);
  const covariates = new Float32Array(batch * rest);
  for (let b = 0; b < batch; b++) {
    window.set(x.subarray(b * width, b * width + spec.windowSize), b * spec.windowSize);
    covariates.set(x.subarray(b * width + spec.windowSize, (b + 1) * width), b * rest);
  }
  return session.run({
    input: new ort.Tensor("float32", window, [batch, spec.windowSize]),
    [COVARIATES_INPUT_NAME]: new ort.Tensor("float32", covariates, [
      batch,
      spec.windowSize + spec.horizon,
      rest / (spec.windowSize + spec.horizon),
    ]),
  });
}

function fillUniform(data: Float32Array, rng: Rng, bound: number): void {
  for (let i = 0; i < data.length; i++) data[i] = rng.uniformRange(-bound, bound);
}

function param(network: Network, name: string) {
  const found = network.params.find((p) => p.name === name);
  if (!found) throw new Error(`no parameter ${name}`);
  return found;
}

describe.each([CNN_LSTM, TRANSFORMER])("a $architecture with features", (spec) => {
  it("lists the feature channels in its parameters", () => {
    const network = createNetwork(spec, new Rng(1));
    const first = spec.architecture === "cnn_lstm" ? "conv.weight" : "embed.weight";
    const shape = spec.architecture === "cnn_lstm" ? [4, 1 + FEATURES, 3] : [8, 1 + FEATURES];
    expect(param(network, first).shape).toEqual(shape);
    expect(param(network, "covariates.weight").shape).toEqual([spec.horizon, FEATURES]);
  });

  it("adds the covariate head's weight times a horizon step's own feature to that step alone", () => {
    const rng = new Rng(3);
    const network = createNetwork(spec, rng);
    param(network, "covariates.weight").data.set([0.5, -2, 3, 0.25, -1, 4]);
    const x = randomRows(spec, 2, rng);
    const before = Array.from(network.forward(x, 2));
    // Row 1, horizon step 2 (period windowSize + 2), feature 1: +1, which weight[2, 1] = 4 turns into +4.
    x[featureIndex(spec, 1, spec.windowSize + 2, 1)] += 1;
    const after = Array.from(network.forward(x, 2));
    const change = after.map((v, i) => v - before[i]);
    expect(change.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(change[5]).toBeCloseTo(4, 5);
  });

  it("reads the window's features: changing one moves the forecast of its row only", () => {
    const rng = new Rng(4);
    const network = createNetwork(spec, rng);
    const x = randomRows(spec, 2, rng);
    const before = Array.from(network.forward(x, 2));
    x[featureIndex(spec, 0, spec.windowSize - 1, 0)] += 1;
    const after = Array.from(network.forward(x, 2));
    expect(after.slice(0, 3)).not.toEqual(before.slice(0, 3));
    expect(after.slice(3)).toEqual(before.slice(3));
  });

  it("has the gradients of central finite differences", () => {
    const rng = new Rng(5);
    const network = createNetwork({ ...spec, highway: true }, rng);
    for (const p of network.params) {
      if (p.name === "covariates.weight") fillUniform(p.data, rng, 1);
    }
    // Every convolution pre-activation positive, far from the ReLU's kink, so a step measures one slope.
    if (spec.architecture === "cnn_lstm") param(network, "conv.bias").data.fill(3);
    const batch = 3;
    const x = randomRows(spec, batch, rng);
    const y = Float32Array.from({ length: batch * spec.horizon }, () => rng.normal());
    const loss = backwardMse(network, x, y, batch);
    for (const name of [
      "covariates.weight",
      spec.architecture === "cnn_lstm" ? "conv.weight" : "embed.weight",
    ]) {
      const p = param(network, name);
      const { error, norm } = gradientMismatch(p, p.data.keys(), 3e-2, loss);
      expect(norm, name).toBeGreaterThan(0);
      expect(error, name).toBeLessThan(1e-2);
    }
  });

  it("exports a graph with a covariates input that the engine agrees with, and imports back", async () => {
    const rng = new Rng(6);
    const withHeads: NetworkSpec = { ...spec, highway: true, quantiles: [0.1, 0.5, 0.9] };
    const network = createNetwork(withHeads, rng);
    for (const p of network.params) fillUniform(p.data, rng, 0.5);
    const batch = 5;
    const x = randomRows(spec, batch, rng);
    const engine = Array.from(network.forward(x, batch));
    const params = new Map(network.params.map((p) => [p.name, p.data]));
    const bytes = exportOnnx(withHeads, params);
    const session = await ort.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(["input", COVARIATES_INPUT_NAME]);
    const result = await runGraph(session, spec, x, batch);
    const onnxOut = Array.from(result.output.data as Float32Array);
    for (let i = 0; i < engine.length; i++) expect(onnxOut[i]).toBeCloseTo(engine[i], 5);
    const imported = importOnnx(bytes);
    expect(imported.spec).toEqual(withHeads);
    expect(Array.from(imported.params.get("covariates.weight") ?? [])).toEqual(
      Array.from(param(network, "covariates.weight").data),
    );
  });
});

describe.each([
  { spec: CNN_LSTM, columns: [1] },
  { spec: TRANSFORMER, columns: [1] },
  { spec: CNN_LSTM, columns: [] },
])("a $spec.architecture reading feature columns $columns of 2", ({ spec: base, columns }) => {
  const spec: NetworkSpec = { ...base, featureColumns: columns, highway: true };

  it("ignores the other columns, and its graph agrees with the engine", async () => {
    const rng = new Rng(8);
    const network = createNetwork(spec, rng);
    for (const p of network.params) fillUniform(p.data, rng, 0.5);
    const batch = 3;
    const x = randomRows(spec, batch, rng);
    const engine = Array.from(network.forward(x, batch));
    // Column 0 is never read: any value there leaves every forecast as it was.
    for (let t = 0; t < spec.windowSize + spec.horizon; t++) x[featureIndex(spec, 1, t, 0)] += 10;
    expect(Array.from(network.forward(x, batch))).toEqual(engine);
    const shapes = network.params.map((p) => [p.name, p.shape]);
    expect(shapes).toContainEqual([
      spec.architecture === "cnn_lstm" ? "conv.weight" : "embed.weight",
      spec.architecture === "cnn_lstm" ? [4, 1 + columns.length, 3] : [8, 1 + columns.length],
    ]);
    const bytes = exportOnnx(spec, new Map(network.params.map((p) => [p.name, p.data])));
    const result = await runGraph(await ort.InferenceSession.create(bytes), spec, x, batch);
    const onnxOut = result.output.data as Float32Array;
    for (let i = 0; i < engine.length; i++) expect(onnxOut[i]).toBeCloseTo(engine[i], 5);
    expect(importOnnx(bytes).spec).toEqual(spec);
  });
});

it("refuses feature columns that are not distinct, ascending and below the feature count", () => {
  for (const featureColumns of [[2], [1, 0], [0, 0]]) {
    expect(() => createNetwork({ ...CNN_LSTM, featureColumns }, new Rng(1))).toThrow(/featureColumns/);
    expect(() => exportOnnx({ ...CNN_LSTM, featureColumns }, new Map())).toThrow(
      "spec.featureColumns must be distinct ascending columns below 2",
    );
  }
});
