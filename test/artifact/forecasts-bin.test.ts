import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  ArtifactError,
  BINARY_FORECASTS_FORMAT_VERSION,
  type NewArtifact,
  readArtifact,
  type StoredForecasts,
  saveArtifact,
} from "../../src/artifact/index.ts";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});
function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), "salescast-forecasts-bin-"));
  roots.push(root);
  return root;
}

const metrics = { mae: 1, rmse: 2, smape: 3, mase: 0.5 };
/** Two series of horizon 2, two members, intervals with scores of other counts per step. */
function forecasts(): StoredForecasts {
  return {
    horizon: 2,
    calibration: {
      method: "conformal",
      pooled: [
        [0.5, 1],
        [1, 2, 3],
      ],
      window: [[0.25], [0.5]],
    },
    series: {
      Beauty: {
        dates: ["2024-01-15", "2024-01-16"],
        values: [12.5, -0],
        members: { linear: [12, 0.1], network: [13, -0.1] },
        weights: { linear: 0.25, network: 0.75 },
        interval: { scale: 1.5, scores: [[0.1, 0.2, 0.3], []] },
      },
      'Toys "A"': {
        dates: ["2024-01-15", "2024-01-16"],
        values: [1e-300, 1.7976931348623157e308],
        members: { linear: [1, 2], network: [3, 4] },
        weights: { linear: 0.5, network: 0.5 },
        interval: { scale: 2, scores: [[], [4]] },
      },
    },
  };
}
function sample(stored: StoredForecasts = forecasts()): NewArtifact {
  return {
    onnx: new Uint8Array([1, 2, 3]),
    normalization: {
      default: { mean: 10, std: 2 },
      series: Object.fromEntries(Object.keys(stored.series).map((id) => [id, { mean: 10, std: 2 }])),
    },
    forecasts: stored,
    meta: {
      format_version: BINARY_FORECASTS_FORMAT_VERSION,
      name: "global",
      scope: "global",
      series: Object.keys(stored.series),
      frequency: "D",
      window_size: 14,
      horizon: stored.horizon,
      season: 7,
      spec: { architecture: "cnn_lstm" },
      config: {},
      validation: { model: metrics, naive: metrics, seasonal_naive: metrics },
      training: { epochs: 1, best_epoch: 1, seconds: 0.1, train_windows: 10, validation_windows: 2 },
    },
  };
}

describe("format 4: stored forecasts' numbers in forecasts.bin", () => {
  it("reads back every number as saved, with the columns where forecasts.json says", () => {
    const saved = saveArtifact(tempRoot(), sample());
    const read = readArtifact(saved.folder);
    expect(read.forecasts).toEqual(forecasts());
    expect(Object.is(read.forecasts?.series.Beauty.values[1], -0)).toBe(true);
    const index = JSON.parse(readFileSync(join(saved.folder, "forecasts.json"), "utf8"));
    const bin = readFileSync(join(saved.folder, "forecasts.bin"));
    // per series a dates index; 2 series × 2 steps of values and of each member; a weight per member; a
    // scale; 2 counts each; 4 scores in all
    expect(bin.length).toBe((2 + 4 + 4 + 4 + 2 + 2 + 2 + 4 + 4) * 8);
    // both series end on the same day: one list of dates
    expect(index.dates).toEqual([["2024-01-15", "2024-01-16"]]);
    expect(index.bin.bytes).toBe(bin.length);
    const { offset, length } = index.columns["member:network"];
    expect(length).toBe(4);
    const network = Array.from({ length }, (_, i) => bin.readDoubleLE(offset + i * 8));
    expect(network).toEqual([13, -0.1, 3, 4]);
    expect(index.columns.scores.length).toBe(4);
    expect(JSON.stringify(index)).not.toContain("12.5");
  });

  it("reads a model without intervals or members", () => {
    const stored: StoredForecasts = {
      horizon: 1,
      series: { a: { dates: ["2024-01-01"], values: [3], members: {}, weights: {} } },
    };
    expect(readArtifact(saveArtifact(tempRoot(), sample(stored)).folder).forecasts).toEqual(stored);
  });

  it("names forecasts.bin and the rule when it is missing, truncated, corrupt or holds a bad number", () => {
    const folder = saveArtifact(tempRoot(), sample()).folder;
    const bin = join(folder, "forecasts.bin");
    const bytes = readFileSync(bin);
    truncateSync(bin, bytes.length - 8);
    expect(() => readArtifact(folder)).toThrow(
      new ArtifactError(
        `${bin} is truncated: forecasts.json says ${bytes.length} bytes, the file has ${bytes.length - 8}`,
      ),
    );
    const flipped = Buffer.from(bytes);
    flipped[9] ^= 1;
    writeFileSync(bin, flipped);
    expect(() => readArtifact(folder)).toThrow(
      new RegExp(`^${bin.replaceAll(".", "\\.")} does not match its checksum in forecasts\\.json`),
    );
    rmSync(bin);
    expect(() => readArtifact(folder)).toThrow(new ArtifactError(`${bin} is missing`));

    const bad = forecasts();
    bad.series['Toys "A"'].members.network[1] = Number.NaN;
    const badFolder = saveArtifact(tempRoot(), sample(bad)).folder;
    expect(() => readArtifact(badFolder)).toThrow(
      new ArtifactError(
        `${join(badFolder, "forecasts.bin")} column 'member:network' of series 'Toys "A"': must be finite numbers, got NaN`,
      ),
    );
    const negative = forecasts();
    negative.series.Beauty.interval = { scale: 0, scores: [[], []] };
    const negativeFolder = saveArtifact(tempRoot(), sample(negative)).folder;
    expect(() => readArtifact(negativeFolder)).toThrow(
      "column 'scale' of series 'Beauty': must be finite numbers > 0, got 0",
    );
    const negativeScore = forecasts();
    negativeScore.series['Toys "A"'].interval = { scale: 2, scores: [[1], [4, -1]] };
    const scoreFolder = saveArtifact(tempRoot(), sample(negativeScore)).folder;
    expect(() => readArtifact(scoreFolder)).toThrow(
      `column 'scores' of series 'Toys "A"': must be finite numbers >= 0, got -1`,
    );
  });

  it("keeps a head-scaled calibration and each series' head half-widths, and names a bad width", () => {
    const headScaled = forecasts();
    headScaled.calibration = {
      method: "head_scaled",
      pooled: [[0.5], [1]],
      window: [[0.25], [0.5]],
      head_scaled: { member: "network", quantiles: { "80": 0.65, "95": 0.74 } },
    };
    headScaled.series.Beauty.interval = {
      scale: 1.5,
      scores: [[0.1], []],
      widths: { "80": [1.25, 2.5], "95": [2, 4] },
    };
    headScaled.series['Toys "A"'].interval = {
      scale: 2,
      scores: [[], [4]],
      widths: { "80": [0, 3], "95": [0.5, 6] },
    };
    const saved = saveArtifact(tempRoot(), sample(headScaled));
    expect(readArtifact(saved.folder).forecasts).toEqual(headScaled);
    const index = JSON.parse(readFileSync(join(saved.folder, "forecasts.json"), "utf8"));
    expect(index.columns["width:95"].length).toBe(4);

    headScaled.series['Toys "A"'].interval.widths = { "80": [0, -3], "95": [0.5, 6] };
    const badFolder = saveArtifact(tempRoot(), sample(headScaled)).folder;
    expect(() => readArtifact(badFolder)).toThrow(
      `column 'width:80' of series 'Toys "A"': must be finite numbers >= 0, got -3`,
    );
    headScaled.series.Beauty.interval = { scale: 1.5, scores: [[0.1], []], widths: { "80": [1, 2] } };
    expect(() => saveArtifact(tempRoot(), sample(headScaled))).toThrow(
      "series 'Beauty' has no head half-widths of level 95 for 2 steps",
    );
  });

  it("refuses to save series that format 4 cannot hold alike", () => {
    const unlike = forecasts();
    unlike.series.Beauty.members = { linear: [12, 0.1] };
    expect(() => saveArtifact(tempRoot(), sample(unlike))).toThrow(
      "stored forecasts of format 4 need every series alike: series 'Toys \"A\"' has other members",
    );
  });
});
