import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import {
  type Artifact,
  BINARY_FORECASTS_FORMAT_VERSION,
  readArtifact,
  saveArtifact,
} from "../../src/artifact/index.ts";
import { SalesForecaster } from "../../src/forecast/index.ts";
import { forecastCsvChunks, storedCsvSeries } from "../../src/forecast/stored.ts";

const FOLDER = fileURLToPath(new URL("../fixtures/format2-model", import.meta.url));
/** What `salescast forecast --out FILE.csv --level 80,95` wrote of this model when format 2 was the latest. */
const CSV = readFileSync(
  fileURLToPath(new URL("../fixtures/format2-model.forecast.csv", import.meta.url)),
  "utf8",
);
const LEVELS = [80, 95];

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function exportCsv(artifact: Artifact): string {
  const series = [...artifact.meta.series]
    .sort()
    .map((id) => storedCsvSeries(artifact.forecasts, id, undefined, { levels: LEVELS, clipNegative: true }));
  return [...forecastCsvChunks(series, LEVELS)].join("");
}

describe("a model saved in artifact format 2", () => {
  const artifact = readArtifact(FOLDER);

  it("loads, and its stored forecasts and bands are those it gave when saved", () => {
    expect(artifact.meta.format_version).toBe(2);
    expect(Object.keys(artifact.forecasts?.series ?? {})).toEqual(["Beauty", "Clothing", "Electronics"]);
    expect(exportCsv(artifact)).toBe(CSV);
  });

  it("answers a window as it did when saved (values recorded in test/fixtures/README.md)", async () => {
    const forecaster = await SalesForecaster.fromArtifact(artifact);
    try {
      expect(forecaster.storedForecasts).toEqual(artifact.forecasts);
      const window = Array.from({ length: 14 }, (_, i) => 100 + 10 * (i % 7));
      expect((await forecaster.predict(window, "Beauty")).predicted_sales).toBeCloseTo(408.1314470774457, 6);
      expect((await forecaster.predict(window)).predicted_sales).toBeCloseTo(437.2743319076791, 6);
    } finally {
      await forecaster.close();
    }
  });

  it("saved again in format 4, reads back the same stored forecasts and the same CSV", () => {
    const root = mkdtempSync(join(tmpdir(), "salescast-format2-"));
    roots.push(root);
    const { onnx_sha256: _onnx, created_at: _created, forecasts_sha256: _forecasts, ...meta } = artifact.meta;
    const saved = saveArtifact(root, {
      onnx: artifact.onnx,
      normalization: artifact.normalization,
      forecasts: artifact.forecasts,
      meta: { ...meta, format_version: BINARY_FORECASTS_FORMAT_VERSION },
    });
    const again = readArtifact(saved.folder);
    expect(again.meta.format_version).toBe(4);
    expect(again.forecasts).toEqual(artifact.forecasts);
    expect(exportCsv(again)).toBe(CSV);
  });
});
