import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  ARTIFACT_FORMAT_VERSION,
  ArtifactError,
  listArtifactFolders,
  type NewArtifact,
  readArtifact,
  saveArtifact,
  writeFolderAtomic,
} from "../../src/artifact/index.ts";

const roots: string[] = [];
function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), "salescast-artifact-"));
  roots.push(root);
  return root;
}
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

const metrics = { mae: 1, rmse: 2, smape: 3, mase: 0.5 };
function sample(): NewArtifact {
  return {
    onnx: new Uint8Array([1, 2, 3, 4, 5]),
    normalization: { default: { mean: 10, std: 2 }, series: { Beauty: { mean: 10, std: 2 } } },
    forecasts: {
      horizon: 1,
      series: {
        Beauty: { dates: ["2024-01-15"], values: [12], members: { linear: [12] }, weights: { linear: 1 } },
      },
    },
    meta: {
      format_version: ARTIFACT_FORMAT_VERSION,
      name: "global",
      scope: "global",
      series: ["Beauty"],
      frequency: "D",
      window_size: 14,
      horizon: 1,
      season: 7,
      spec: { architecture: "cnn_lstm" },
      config: {},
      validation: { model: metrics, naive: metrics, seasonal_naive: metrics },
      training: { epochs: 3, best_epoch: 2, seconds: 0.1, train_windows: 10, validation_windows: 2 },
    },
  };
}

describe("artifact store", () => {
  it("saves and reads back the three files with a checksum", () => {
    const root = tempRoot();
    const saved = saveArtifact(root, sample());
    const read = readArtifact(saved.folder);
    expect(Array.from(read.onnx)).toEqual([1, 2, 3, 4, 5]);
    expect(read.normalization).toEqual(sample().normalization);
    expect(read.meta.onnx_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(listArtifactFolders(root)).toEqual([saved.folder]);
  });

  it("names the ONNX file when its checksum does not match", () => {
    const saved = saveArtifact(tempRoot(), sample());
    writeFileSync(join(saved.folder, "model.onnx"), new Uint8Array([9, 9]));
    expect(() => readArtifact(saved.folder)).toThrow(/model\.onnx does not match its checksum/);
  });

  it("names a missing or malformed file", () => {
    const saved = saveArtifact(tempRoot(), sample());
    writeFileSync(join(saved.folder, "normalization.json"), "{ not json");
    expect(() => readArtifact(saved.folder)).toThrow(/normalization\.json is not readable JSON/);
    writeFileSync(
      join(saved.folder, "normalization.json"),
      JSON.stringify({ default: { mean: 1, std: 1 }, series: { Beauty: { mean: 1, std: 0 } } }),
    );
    expect(() => readArtifact(saved.folder)).toThrow(/normalization\.json is malformed: series\.Beauty\.std/);
    rmSync(join(saved.folder, "meta.json"));
    expect(() => readArtifact(saved.folder)).toThrow(ArtifactError);
    expect(() => readArtifact(saved.folder)).toThrow(/meta\.json is missing/);
  });

  it("keeps the stored forecasts beside the model, checked against their checksum", () => {
    const saved = saveArtifact(tempRoot(), sample());
    expect(readArtifact(saved.folder).forecasts).toEqual(sample().forecasts);
    writeFileSync(join(saved.folder, "forecasts.json"), JSON.stringify({ horizon: 1, series: {} }));
    expect(() => readArtifact(saved.folder)).toThrow(/forecasts\.json does not match its checksum/);
    rmSync(join(saved.folder, "forecasts.json"));
    expect(() => readArtifact(saved.folder)).toThrow(/forecasts\.json is missing/);
  });

  it("names the series and field of a stored forecast that is not numbers, or of a negative score", () => {
    const bad = sample();
    (bad.forecasts as { series: Record<string, { values: unknown[] }> }).series.Beauty.values = [12, "x"];
    const saved = saveArtifact(tempRoot(), bad);
    expect(() => readArtifact(saved.folder)).toThrow(
      "forecasts.json is malformed: series.Beauty.values: must be an array of finite numbers",
    );
    const negative = sample();
    const beauty = (negative.forecasts as { series: Record<string, object> }).series.Beauty;
    Object.assign(beauty, { interval: { scale: 1, scores: [[0.5, -1]] } });
    expect(() => readArtifact(saveArtifact(tempRoot(), negative).folder)).toThrow(
      "forecasts.json is malformed: series.Beauty.interval.scores.0: must be an array of finite numbers >= 0",
    );
  });

  it("leaves nothing behind when filling a folder fails", () => {
    const root = tempRoot();
    expect(() =>
      writeFolderAtomic(join(root, "target"), (folder) => {
        writeFileSync(join(folder, "half"), "x");
        throw new Error("disk full");
      }),
    ).toThrow("disk full");
    expect(existsSync(join(root, "target"))).toBe(false);
    expect(readdirSync(root)).toEqual([]);
  });
});
