import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { iterateBatches, type WindowSet } from "../../src/data/index.ts";
import {
  Adam,
  ARCHITECTURE_NAMES,
  createNetwork,
  exportOnnx,
  importOnnx,
  mseLoss,
  type Network,
  type NetworkSpec,
  type Param,
  paramShapes,
  Rng,
  setParams,
} from "../../src/model/index.ts";
import { silentProgress } from "../../src/train/index.ts";
import { trainAndRegister } from "../../src/train/register.ts";
import { smallTrainingConfig } from "../registry/training-config.ts";
import { openRegistry, startServer } from "../server/registry-server.ts";
import { relativeError } from "./relative-error.ts";

/**
 * The cases every registered architecture must pass. Each architecture names a small, ragged spec here (the
 * Record type makes a missing one a compile error), and its config overrides for a training run.
 */
const SMALL_SPECS: { [Name in NetworkSpec["architecture"]]: Extract<NetworkSpec, { architecture: Name }> } = {
  cnn_lstm: {
    architecture: "cnn_lstm",
    windowSize: 9,
    horizon: 3,
    convChannels: 4,
    kernelSize: 3,
    lstmHidden: 6,
    lstmLayers: 2,
  },
  transformer: {
    architecture: "transformer",
    windowSize: 9,
    horizon: 3,
    dModel: 8,
    heads: 2,
    ffn: 12,
    layers: 2,
  },
};

const TRAINING_OVERRIDES: Record<NetworkSpec["architecture"], string[]> = {
  cnn_lstm: ["model.architecture=cnn_lstm"],
  transformer: [
    "model.architecture=transformer",
    "model.transformer.d_model=8",
    "model.transformer.heads=2",
    "model.transformer.ffn=16",
    "model.transformer.layers=1",
  ],
};

const SPECS = ARCHITECTURE_NAMES.flatMap((name) =>
  [false, true].map((highway) => {
    const spec: NetworkSpec = highway ? { ...SMALL_SPECS[name], highway } : SMALL_SPECS[name];
    return { name, highway, spec };
  }),
);

// The finite-difference step, and the noise float32 rounding of a loss near 1 (about 1e-7) leaves in a
// difference quotient over it.
const STEP = 1e-2;
const NOISE = 1e-7 / STEP;

function randomInput(rng: Rng, batch: number, spec: NetworkSpec): Float32Array {
  return Float32Array.from({ length: batch * spec.windowSize }, () => rng.uniformRange(-1, 1));
}

function paramValues(network: Network): Map<string, Float32Array> {
  return new Map(network.params.map((p) => [p.name, p.data]));
}

async function runOnnx(bytes: Uint8Array, x: Float32Array, batch: number, spec: NetworkSpec) {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const { output } = await session.run({ input: new ort.Tensor("float32", x, [batch, spec.windowSize]) });
    return output;
  } finally {
    await session.release();
  }
}

/** Windows of a noisy sine, normalized-sized: enough signal that a few epochs must lower the loss. */
function sineWindows(spec: NetworkSpec, count: number, rng: Rng): WindowSet {
  const { windowSize: w, horizon: h } = spec;
  const x = new Float32Array(count * w);
  const y = new Float32Array(count * h);
  for (let s = 0; s < count; s++) {
    const phase = rng.uniformRange(0, 2 * Math.PI);
    for (let t = 0; t < w + h; t++) {
      const value = Math.sin(phase + (2 * Math.PI * t) / 7) + 0.05 * rng.normal();
      if (t < w) x[s * w + t] = value;
      else y[s * h + t - w] = value;
    }
  }
  return { x, y, seriesIndex: new Int32Array(count), count, windowSize: w, horizon: h };
}

describe("every architecture is registered with a contract spec", () => {
  it("lists cnn_lstm and transformer, each with a small spec its own validation accepts", async () => {
    expect(ARCHITECTURE_NAMES).toEqual(["cnn_lstm", "transformer"]);
    for (const name of ARCHITECTURE_NAMES)
      expect(() => createNetwork(SMALL_SPECS[name], new Rng(0))).not.toThrow();
  });
});

describe.each(SPECS)("network contract: $name (highway $highway)", ({ spec }) => {
  it("has its spec's parameters and maps [batch, window] to [batch, horizon] at any batch", async () => {
    const network = createNetwork(spec, new Rng(3));
    expect(network.spec).toEqual(spec);
    expect(network.params.map(({ name, shape }) => ({ name, shape }))).toEqual(paramShapes(spec));
    expect(network.params.some((p) => p.name === "highway.weight")).toBe(spec.highway === true);
    for (const p of network.head) expect(p.shape[0]).toBe(spec.horizon);
    const rng = new Rng(4);
    const x = randomInput(rng, 7, spec);
    const seven = network.forward(x, 7).slice();
    expect(seven).toHaveLength(7 * spec.horizon);
    expect(seven.every(Number.isFinite)).toBe(true);
    // A smaller batch after a larger one reuses the buffers and gives each window the same forecast.
    const one = network.forward(x.subarray(0, spec.windowSize), 1).slice();
    expect(one).toEqual(seven.subarray(0, spec.horizon));
    expect(() => network.forward(x, 8)).toThrow(/x has 63 values/);
  });

  it("has gradients that agree with central finite differences", async () => {
    const rng = new Rng(31);
    const network = createNetwork(spec, rng);
    const batch = 3;
    const x = randomInput(rng, batch, spec);
    const y = Float32Array.from({ length: batch * spec.horizon }, () => rng.normal());
    const count = batch * spec.horizon;
    const dOut = new Float32Array(count);
    network.zeroGrad();
    mseLoss(network.forward(x, batch), y, count, dOut);
    network.backward(dOut);
    const loss = () => mseLoss(network.forward(x, batch), y, count);
    const mid = loss();
    /** The central difference quotient, and whether the two one-sided ones agree with it. */
    const slope = (param: Param, i: number) => {
      const original = param.data[i];
      param.data[i] = original + STEP;
      const up = param.data[i] - original;
      const lossUp = loss();
      param.data[i] = original - STEP;
      const down = original - param.data[i];
      const lossDown = loss();
      param.data[i] = original;
      const central = (lossUp - lossDown) / (up + down);
      const oneSided = Math.abs((lossUp - mid) / up - (mid - lossDown) / down);
      return { central, smooth: oneSided < 0.1 * Math.abs(central) + 10 * NOISE };
    };
    let checked = 0;
    let picked = 0;
    for (const param of network.params) {
      let difference = 0;
      let norm = 0;
      const picks = rng.shuffle(Array.from({ length: param.data.length }, (_, i) => i)).slice(0, 8);
      picked += picks.length;
      for (const i of picks) {
        // Where a ReLU kink lies within the step, the one-sided slopes part: such a coordinate measures
        // nothing and is left out.
        const { central, smooth } = slope(param, i);
        if (!smooth) continue;
        checked++;
        difference += (central - param.grad[i]) ** 2;
        norm += central ** 2;
      }
      const allowed = 2e-2 * Math.sqrt(norm) + NOISE * Math.sqrt(picks.length);
      expect(Math.sqrt(difference), param.name).toBeLessThan(allowed);
    }
    // Kinks are rare: the check must have measured most coordinates.
    expect(checked).toBeGreaterThan(0.8 * picked);
  });

  it("is deterministic: the same seed gives byte-identical ONNX, another seed other bytes", async () => {
    const bytes = (seed: number) => exportOnnx(spec, paramValues(createNetwork(spec, new Rng(seed))));
    expect(Buffer.from(bytes(5)).equals(Buffer.from(bytes(5)))).toBe(true);
    expect(Buffer.from(bytes(5)).equals(Buffer.from(bytes(6)))).toBe(false);
  });

  it("exports ONNX that onnxruntime runs to the engine's forecasts within 1e-5", async () => {
    const rng = new Rng(2024);
    const network = createNetwork(spec, rng);
    const batch = 6;
    const x = Float32Array.from({ length: batch * spec.windowSize }, () => rng.normal());
    const expected = network.forward(x, batch).slice();
    const output = await runOnnx(exportOnnx(spec, paramValues(network)), x, batch, spec);
    expect(output.dims).toEqual([batch, spec.horizon]);
    expect(relativeError(output.data as Float32Array, expected)).toBeLessThan(1e-5);
  });

  it("imports its ONNX back with every weight, into a network that forecasts exactly as the original", async () => {
    const rng = new Rng(17);
    const original = createNetwork(spec, rng);
    const imported = importOnnx(exportOnnx(spec, paramValues(original)));
    expect(imported.spec).toEqual(spec);
    expect(imported.params).toEqual(paramValues(original));
    const restored = createNetwork(imported.spec, new Rng(99));
    setParams(restored, imported.params);
    const x = randomInput(rng, 4, spec);
    expect(restored.forward(x, 4)).toEqual(original.forward(x, 4).slice());
  });

  it("lowers the loss in a few epochs of Adam", async () => {
    const rng = new Rng(8);
    const network = createNetwork(spec, rng);
    const windows = sineWindows(spec, 256, rng);
    const adam = new Adam(network.params, { lr: 1e-2 });
    const lossOn = (set: WindowSet) =>
      mseLoss(network.forward(set.x, set.count), set.y, set.count * set.horizon);
    const before = lossOn(windows);
    const dOut = new Float32Array(32 * spec.horizon);
    for (let epoch = 0; epoch < 5; epoch++) {
      for (const batch of iterateBatches(windows, 32, () => rng.uniform())) {
        network.zeroGrad();
        const count = batch.size * spec.horizon;
        mseLoss(network.forward(batch.x, batch.size), batch.y, count, dOut);
        network.backward(dOut.subarray(0, count));
        adam.step();
      }
    }
    expect(lossOn(windows)).toBeLessThan(0.5 * before);
  });
});

describe.each(ARCHITECTURE_NAMES)("network contract: %s through training, registry and serving", (name) => {
  it("trains, saves, registers, serves and predicts what its saved network computes", async () => {
    const { dir, registry } = await openRegistry();
    // The network (on the linear map) as the only member, so it is what serves the window routes.
    const config = smallTrainingConfig(dir, [
      ...TRAINING_OVERRIDES[name],
      "model.members=[network_on_linear]",
    ]);
    const trained = await trainAndRegister(config, { registry, progress: silentProgress });
    const [{ artifact }] = trained.models;
    const meta = JSON.parse(readFileSync(join(artifact.folder, "meta.json"), "utf8"));
    expect(meta.spec.architecture).toBe(name);

    // The forecast by hand: the saved weights in a fresh engine network, the saved pooled statistics.
    const saved = importOnnx(readFileSync(join(artifact.folder, "model.onnx")));
    expect(saved.spec.architecture).toBe(name);
    const network = createNetwork(saved.spec, new Rng(0));
    setParams(network, saved.params);
    const stats = JSON.parse(readFileSync(join(artifact.folder, "normalization.json"), "utf8")).default;
    const window = Array.from({ length: saved.spec.windowSize }, (_, i) => 400 + 25 * (i % 7));
    const input = Float32Array.from(window, (v) => (v - stats.mean) / stats.std);
    const expected = Math.max(0, network.forward(input, 1)[0] * stats.std + stats.mean);

    const server = await startServer(
      dir,
      { ...config, server: { ...config.server, admin_token: "" } },
      registry,
    );
    try {
      const response = await server.app.inject({
        method: "POST",
        url: "/api/predict",
        payload: { series: window },
      });
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body.model).toMatchObject({ name: "global", version: "v1" });
      expect(Math.abs(body.predicted_sales - expected)).toBeLessThan(1e-3 * Math.max(1, Math.abs(expected)));
      const listed = (await server.app.inject({ method: "GET", url: "/api/models" })).json();
      expect(listed.models.map((model: { architecture: string }) => model.architecture)).toEqual([name]);
    } finally {
      await server.close();
    }
  });
});
