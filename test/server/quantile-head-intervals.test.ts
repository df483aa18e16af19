import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { saveArtifact } from "../../src/artifact/index.ts";
import { loadConfig } from "../../src/config/index.ts";
import { createNetwork, exportOnnx, type NetworkSpec, Rng } from "../../src/model/index.ts";
import { buildApp, type SalescastApp } from "../../src/server/index.ts";
import { tempDir } from "../registry/fixtures.ts";
import { handMadeMeta } from "./hand-made-meta.ts";
import { CONFIG_FILE, serveFolders } from "./trained-models.ts";

const WINDOW = Array.from({ length: 14 }, (_, t) => 10 + t);

/** softplus⁻¹: the bias whose gap is `gap`. */
const biasFor = (gap: number) => Math.log(Math.expm1(gap));

/**
 * A network whose answers are known by hand: every weight 0, so the scaled point is 0 (the series' mean) and
 * the head's gaps are the softplus of its biases, chosen as 0.5, 1, 1, 0.5 at step 1 and 1, 2, 2, 1 at step 2
 * (scaled units, std 2). Its conformal window scores (all 100) would give bands ±200: unused, the head answers.
 */
function headModel(root: string): string {
  const spec: NetworkSpec = {
    architecture: "cnn_lstm",
    windowSize: 14,
    horizon: 2,
    convChannels: 2,
    kernelSize: 3,
    lstmHidden: 3,
    lstmLayers: 1,
    quantiles: [0.025, 0.1, 0.5, 0.9, 0.975],
  };
  const network = createNetwork(spec, new Rng(1));
  for (const param of network.params) param.data.fill(0);
  network.quantileHead?.bias.data.set([0.5, 1, 1, 0.5, 1, 2, 2, 1].map(biasFor));
  const stats = { mean: 10, std: 2 };
  return saveArtifact(root, {
    onnx: exportOnnx(spec, new Map(network.params.map((p) => [p.name, p.data]))),
    normalization: { mode: "series", default: stats, series: { Beauty: stats, Toys: { mean: 1, std: 2 } } },
    forecasts: {
      horizon: 2,
      calibration: { method: "conformal", pooled: [[100], [100]], window: [[100], [100]] },
      series: {},
    },
    meta: handMadeMeta(spec as unknown as { architecture: string }, ["Beauty", "Toys"], 2),
  }).folder;
}

let app: SalescastApp;

beforeAll(async () => {
  const config = loadConfig(CONFIG_FILE, [], {});
  app = await buildApp({ config, models: await serveFolders([headModel(tempDir())]) });
});

afterAll(async () => {
  await app.close();
});

const post = (url: string, payload: unknown) =>
  app.inject({ method: "POST", url, payload: payload as Record<string, unknown> });

describe("intervals from a network's quantile head", () => {
  it("answers the head's quantiles at each level's bounds, scaled back by the series' stats", async () => {
    const response = await post("/api/predict", { series: WINDOW });
    expect(response.statusCode).toBe(200);
    // Step 1: 10 + 2·(-1.5, -1, 0, 1, 1.5) = 7, 8, 10, 12, 13; step 2: 10 + 2·(-3, -2, 0, 2, 3).
    const body = response.json();
    expect(body.forecast).toEqual([10, 10]);
    for (const [key, expected] of Object.entries({
      "80": { lower: [8, 6], upper: [12, 14] },
      "95": { lower: [7, 4], upper: [13, 16] },
    })) {
      body.intervals[key].lower.forEach((v: number, h: number) => {
        expect(v).toBeCloseTo(expected.lower[h], 4);
      });
      body.intervals[key].upper.forEach((v: number, h: number) => {
        expect(v).toBeCloseTo(expected.upper[h], 4);
      });
    }
  });

  it("clips lower bounds at 0 as it clips the forecast, keeping lower ≤ point ≤ upper", async () => {
    // Toys: mean 1, std 2: step 1's 95% bound 1 - 3 = -2 and 80% bound 1 - 2 = -1 both become 0.
    const body = (await post("/api/predict/Toys", { series: WINDOW, level: [80, 95] })).json();
    expect(body.forecast).toEqual([1, 1]);
    expect(body.intervals["80"].lower).toEqual([0, 0]);
    expect(body.intervals["95"].lower).toEqual([0, 0]);
    expect(body.intervals["80"].upper[0]).toBeCloseTo(3, 4);
    expect(body.intervals["95"].upper[1]).toBeCloseTo(7, 4);
  });

  it("refuses a level the head was not trained for with a 422 naming the levels it gives", async () => {
    const single = await post("/api/predict", { series: WINDOW, level: [90] });
    expect(single.statusCode).toBe(422);
    expect(single.json()).toEqual({
      error: "invalid_level",
      message: "level: the quantile head gives the levels 80, 95, not 90",
    });
    const batch = await post("/api/predict/batch", { level: [80, 50], items: [{ series: WINDOW }] });
    expect(batch.statusCode).toBe(422);
    expect(batch.json().error).toBe("invalid_level");
    const none = await post("/api/predict", { series: WINDOW, level: [] });
    expect(none.statusCode).toBe(200);
    expect(none.json()).not.toHaveProperty("intervals");
  });
});
