import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import type { Series } from "../../src/data/index.ts";
import type { SeriesFeatures } from "../../src/features/index.ts";
import { Rng } from "../../src/model/index.ts";
import { trainModel } from "../../src/train/train-model.ts";

const config = loadConfig(
  "config/config.yaml",
  [
    "data.window_size=8",
    "data.horizon=3",
    "train.max_epochs=8",
    "model.lstm_hidden=8",
    "data.normalization=series",
  ],
  {},
);
const LENGTH = 160;

/** Two series of `LENGTH` days: a weekly wave, plus `lift` on the days `flag` marks, plus noise. */
function withFlag(flag: readonly number[], lift: number, seed: number): Series[] {
  const rng = new Rng(seed);
  return ["a", "b"].map((id) => ({
    id,
    frequency: "D",
    start: "2024-01-01",
    values: Float64Array.from(
      { length: LENGTH },
      (_, t) => 100 + 20 * Math.sin((2 * Math.PI * t) / 7) + lift * flag[t] + rng.normal(),
    ),
  }));
}

/** One known-future feature, the flag standardized, for every series and the horizon past its end. */
function flagFeature(flag: readonly number[]): SeriesFeatures {
  const periods = LENGTH + config.data.horizon;
  const mean = flag.slice(0, LENGTH).reduce((a, b) => a + b, 0) / LENGTH;
  const std = Math.sqrt(flag.slice(0, LENGTH).reduce((a, b) => a + (b - mean) ** 2, 0) / LENGTH);
  const rows = Float32Array.from({ length: periods }, (_, t) => (flag[t] - mean) / std);
  return {
    layout: { names: ["flag"], knownFuture: [true], covariates: 1 },
    scaling: { mean: [mean], std: [std] },
    rows: [rows, rows],
    periods: [periods, periods],
  };
}

describe("a network offered features", () => {
  const rng = new Rng(9);
  const flag = Array.from({ length: LENGTH + 3 }, () => (rng.uniform() < 0.3 ? 1 : 0));

  it("reads a flag that moves the sales, its covariate head near the lift in scaled units", () => {
    const series = withFlag(flag, 40, 1);
    const trained = trainModel(series, config, { features: flagFeature(flag) });
    expect(trained.featureUse).toBe("known_future");
    expect(trained.spec.featureColumns).toEqual([0]);
    const head = trained.network.params.find((p) => p.name === "covariates.weight");
    // 40 units of lift over the series' std, per standard deviation of the flag (about 0.46)
    const expected = (40 / trained.stats[0].std) * flagFeature(flag).scaling.std[0];
    for (const weight of head?.data ?? []) expect(Math.abs(weight - expected) / expected).toBeLessThan(0.25);
  });

  it("keeps to the sales alone when the flag moves nothing", () => {
    const series = withFlag(flag, 0, 2);
    const trained = trainModel(series, config, { features: flagFeature(flag) });
    expect(trained.featureUse).toBe("none");
    expect(trained.spec.featureColumns).toEqual([]);
  });
});
