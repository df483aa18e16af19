import { describe, expect, it } from "vitest";
import type { WindowSource } from "../../src/data/index.ts";
import { createNetwork, inputWidth, type NetworkSpec, Rng } from "../../src/model/index.ts";
import { warmStartCovariateHead } from "../../src/train/covariate-warm-start.ts";

const spec: NetworkSpec = {
  architecture: "cnn_lstm",
  windowSize: 5,
  horizon: 2,
  convChannels: 3,
  kernelSize: 2,
  lstmHidden: 4,
  lstmLayers: 1,
  highway: true,
  features: 2,
  featureColumns: [0],
};

/**
 * Rows of random windows and features whose targets are linear in them: step k is 0.5 · the window's last value
 * + 2 · feature 0 of step k's period + 1 (feature 1, never read, is noise).
 */
function linearRows(
  count: number,
  seed: number,
): { source: WindowSource; rows: Float32Array; y: Float32Array } {
  const rng = new Rng(seed);
  const width = inputWidth(spec);
  const rows = Float32Array.from({ length: count * width }, () => rng.normal());
  const y = new Float32Array(count * spec.horizon);
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < spec.horizon; k++) {
      const feature = rows[i * width + spec.windowSize + (spec.windowSize + k) * 2];
      y[i * spec.horizon + k] = 0.5 * rows[i * width + spec.windowSize - 1] + 2 * feature + 1;
    }
  }
  const source: WindowSource = {
    count,
    windowSize: spec.windowSize,
    horizon: spec.horizon,
    inputWidth: width,
    write(i, x, xOffset, target, yOffset) {
      x.set(rows.subarray(i * width, (i + 1) * width), xOffset);
      target.set(y.subarray(i * spec.horizon, (i + 1) * spec.horizon), yOffset);
    },
  };
  return { source, rows, y };
}

describe("the covariate head's warm start", () => {
  it("starts a network with a highway at the linear map of the window and the step's own features", () => {
    const network = createNetwork(spec, new Rng(1));
    const train = linearRows(400, 2);
    const validation = linearRows(100, 3);
    const ridge = warmStartCovariateHead(network, train.source, validation.source);
    expect(ridge).toBe(0.1);
    const weights = (name: string) => Array.from(network.params.find((p) => p.name === name)?.data ?? []);
    for (const w of weights("covariates.weight")) expect(w).toBeCloseTo(2, 2);
    for (const b of weights("highway.bias")) expect(b).toBeCloseTo(1, 2);
    // highway row k: 0.5 on the last lag, 0 elsewhere; the output head starts at zero
    expect(weights("highway.weight").map((w) => Math.round(w * 100) / 100 + 0)).toEqual([
      0, 0, 0, 0, 0.5, 0, 0, 0, 0, 0.5,
    ]);
    expect(weights("fc.weight").every((w) => w === 0)).toBe(true);
    const forecast = network.forward(validation.rows, 100);
    for (let i = 0; i < validation.y.length; i++) expect(forecast[i]).toBeCloseTo(validation.y[i], 1);
  });

  it("uses a given penalty without choosing one", () => {
    const network = createNetwork(spec, new Rng(1));
    expect(warmStartCovariateHead(network, linearRows(50, 4).source, 1000)).toBe(1000);
    // a heavy penalty shrinks the feature's weight well below its 2
    const weight = network.params.find((p) => p.name === "covariates.weight")?.data ?? [];
    expect(Math.max(...weight)).toBeLessThan(1);
  });
});
