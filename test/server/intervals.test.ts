import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { saveArtifact } from "../../src/artifact/index.ts";
import { loadConfig } from "../../src/config/index.ts";
import { exportLinearOnnx } from "../../src/model/index.ts";
import { buildApp, type SalescastApp } from "../../src/server/index.ts";
import { tempDir } from "../registry/fixtures.ts";
import { handMadeMeta } from "./hand-made-meta.ts";
import { CONFIG_FILE, serveFolders } from "./trained-models.ts";

const WINDOW = Array.from({ length: 14 }, (_, t) => 10 + t);
const FORMAT1_MODEL = new URL("../fixtures/format1-model", import.meta.url).pathname;

/** The stored forecasts' calibration: conformal, or scaled by a quantile head's half-widths. */
type Calibrated = "conformal" | "head_scaled";

/**
 * A model whose answers are known by hand: a linear map of zeros (every forecast is the series' mean, 10),
 * inputs scaled by std 2, window scores 1..4 and the stored Beauty forecast 12 with scale 2 and score 1; or,
 * head-scaled, quantiles 0.5 (80%) and 1.5 (95%) of Beauty's head half-widths 4 and 10.
 */
function handMadeModel(
  root: string,
  windowScores: number[][] = [[1, 2, 3, 4]],
  calibrated: Calibrated = "conformal",
): string {
  const spec = { architecture: "linear" as const, windowSize: 14, horizon: 1 };
  const headScaled = calibrated === "head_scaled";
  return saveArtifact(root, {
    onnx: exportLinearOnnx(spec, new Float32Array(14), new Float32Array(1)),
    normalization: {
      mode: "series",
      default: { mean: 10, std: 2 },
      series: { Beauty: { mean: 10, std: 2 } },
    },
    forecasts: {
      horizon: 1,
      calibration: {
        method: calibrated,
        pooled: [[0.5, 1, 2, 3]],
        window: windowScores,
        ...(headScaled ? { head_scaled: { member: "network", quantiles: { "80": 0.5, "95": 1.5 } } } : {}),
      },
      series: {
        Beauty: {
          dates: ["2024-01-15"],
          values: [12],
          members: { linear: [12] },
          weights: { linear: 1 },
          interval: {
            scale: 2,
            scores: [[1]],
            ...(headScaled ? { widths: { "80": [4], "95": [10] } } : {}),
          },
        },
      },
    },
    meta: handMadeMeta(spec, ["Beauty"], 1),
  }).folder;
}

let app: SalescastApp;
let format1: SalescastApp;
let unscored: SalescastApp;
let headScaled: SalescastApp;

beforeAll(async () => {
  const config = loadConfig(CONFIG_FILE, [], {});
  app = await buildApp({ config, models: await serveFolders([handMadeModel(tempDir())]) });
  format1 = await buildApp({ config, models: await serveFolders([FORMAT1_MODEL]) });
  // No cross-validation origin gave the window member a score: no bands can be made from nothing.
  unscored = await buildApp({ config, models: await serveFolders([handMadeModel(tempDir(), [[]])]) });
  headScaled = await buildApp({
    config,
    models: await serveFolders([handMadeModel(tempDir(), undefined, "head_scaled")]),
  });
});

afterAll(async () => {
  await app.close();
  await format1.close();
  await unscored.close();
  await headScaled.close();
});

const post = (target: SalescastApp, url: string, payload: unknown) =>
  target.inject({ method: "POST", url, payload: payload as Record<string, unknown> });

describe("intervals of the window routes", () => {
  it("answers the default levels: the window scores' conformal quantile times the input's std", async () => {
    const response = await post(app, "/api/predict", { series: WINDOW });
    expect(response.statusCode).toBe(200);
    // Four scores: 80% takes the ⌈5·0.8⌉ = 4th (4), 95% the largest (4); half-width 4 × std 2 = 8.
    expect(response.json()).toMatchObject({
      forecast: [10],
      intervals: { "80": { lower: [2], upper: [18] }, "95": { lower: [2], upper: [18] } },
    });
  });

  it("answers any asked level, none for [], and the same for every batch item", async () => {
    const fifty = await post(app, "/api/predict/Beauty", { series: WINDOW, level: [50] });
    // 50%: the ⌈2.5⌉ = 3rd score (3), half-width 6.
    expect(fifty.json().intervals).toEqual({ "50": { lower: [4], upper: [16] } });
    const none = await post(app, "/api/predict", { series: WINDOW, level: [] });
    expect(none.json()).not.toHaveProperty("intervals");
    const batch = await post(app, "/api/predict/batch", {
      level: [50],
      items: [{ series: WINDOW }, { series_id: "Beauty", series: WINDOW }],
    });
    expect(batch.statusCode).toBe(200);
    for (const result of batch.json().results) {
      expect(result.intervals).toEqual({ "50": { lower: [4], upper: [16] } });
    }
  });

  it("refuses a level that is not a number or not inside (0, 100) with a 422 naming it", async () => {
    const cases: [unknown, string][] = [
      [[80, 100], "level[1] must be above 0 and below 100 (percent), got 100"],
      [[0], "level[0] must be above 0 and below 100 (percent), got 0"],
      [["80"], 'level[0] must be a number (a level in percent), got "80"'],
      [[null], "level[0] must be a number (a level in percent), got null"],
    ];
    for (const [level, message] of cases) {
      const response = await post(app, "/api/predict", { series: WINDOW, level });
      expect(response.statusCode).toBe(422);
      expect(response.json()).toEqual({ error: "invalid_level", message });
    }
    const batch = await post(app, "/api/predict/batch", { level: [-5], items: [{ series: WINDOW }] });
    expect(batch.statusCode).toBe(422);
  });

  it("answers a model without calibration without intervals, and says so", async () => {
    const response = await post(format1, "/api/predict", { series: WINDOW });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).not.toHaveProperty("intervals");
    expect(body.notes).toEqual([expect.stringContaining("no interval calibration")]);
    const none = (await post(unscored, "/api/predict", { series: WINDOW })).json();
    expect(none).not.toHaveProperty("intervals");
    expect(none.notes).toEqual([expect.stringContaining("no interval calibration")]);
  });
});

describe("intervals of the stored forecasts", () => {
  it("scales the pooled quantile by the series' own factor and its scale", async () => {
    const response = await app.inject({ method: "GET", url: "/api/forecast/Beauty?level=80" });
    expect(response.statusCode).toBe(200);
    // Pooled 80%: the 4th of four (3); own ratio 1/3 shrunk toward 1: (1/3 + 10)/11; half = 3·that·2.
    const half = 3 * ((1 / 3 + 10) / 11) * 2;
    const band = response.json().intervals["80"];
    expect(band.lower[0]).toBeCloseTo(12 - half, 10);
    expect(band.upper[0]).toBeCloseTo(12 + half, 10);
  });

  it("writes lo_L and hi_L columns in CSV, and refuses a bad level in the query", async () => {
    const csv = await app.inject({
      method: "GET",
      url: "/api/forecast?level=80",
      headers: { accept: "text/csv" },
    });
    const [header, row] = csv.body.trimEnd().split("\n");
    expect(header).toBe("series_id,date,forecast,lo_80,hi_80");
    const half = 3 * ((1 / 3 + 10) / 11) * 2;
    const [id, date, value, lo, hi] = row.split(",");
    expect([id, date, Number(value)]).toEqual(["Beauty", "2024-01-15", 12]);
    expect(Number(lo)).toBeCloseTo(12 - half, 10);
    expect(Number(hi)).toBeCloseTo(12 + half, 10);
    const bad = await app.inject({ method: "GET", url: "/api/forecast/Beauty?level=80,abc" });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().message).toBe('level[1] must be a number (a level in percent), got "abc"');
  });

  it("lays head-scaled bands at the level's quantile times the series' head half-width", async () => {
    const response = await headScaled.inject({ method: "GET", url: "/api/forecast/Beauty" });
    expect(response.statusCode).toBe(200);
    // 80%: 12 ± 0.5 · 4; 95%: 12 ± 1.5 · 10, the lower bound 12 − 15 clipped at 0.
    expect(response.json().intervals).toEqual({
      "80": { lower: [10], upper: [14] },
      "95": { lower: [0], upper: [27] },
    });
  });

  it("refuses a level head-scaled bands were not calibrated for with a 422 naming the levels they give", async () => {
    const message = "level: this model's stored forecasts give the levels 80, 95, not 90";
    for (const url of ["/api/forecast/Beauty?level=80,90", "/api/forecast?level=90"]) {
      const response = await headScaled.inject({ method: "GET", url, headers: { accept: "text/csv" } });
      expect(response.statusCode).toBe(422);
      expect(response.json()).toEqual({ error: "invalid_level", message });
    }
  });
});
