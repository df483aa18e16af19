import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, type SalescastApp } from "../../src/server/index.ts";
import type { ServingModels } from "../../src/server/serving-models.ts";
import { loadForecaster, serveFolders, type TrainedModels, trainTestModels } from "./trained-models.ts";

let trained: TrainedModels;
let models: ServingModels;
let app: SalescastApp;

beforeAll(async () => {
  trained = await trainTestModels();
  models = await serveFolders([trained.global, trained.beauty]);
  app = await buildApp({ config: trained.config, models });
});

afterAll(async () => {
  await app.close();
  trained.remove();
});

interface SeriesForecastBody {
  series_id: string;
  model: { name: string; horizon: number };
  forecast: { date: string; value: number }[];
  members: Record<string, number[]>;
}

// The bundled sales end on 2024-01-01 (the last transaction date of data/sales_data.csv) for every series.
const NEXT_DAYS = Array.from({ length: 14 }, (_, k) => `2024-01-${String(k + 2).padStart(2, "0")}`);

describe("GET /api/forecast/{series_id}", () => {
  it("answers the stored forecast of the series' own model, dated from the day after its history", async () => {
    const response = await app.inject({ method: "GET", url: "/api/forecast/Beauty" });
    expect(response.statusCode).toBe(200);
    const body = response.json() as SeriesForecastBody;
    expect(body.series_id).toBe("Beauty");
    expect(body.model.name).toBe("series:Beauty");
    expect(body.forecast.map((p) => p.date)).toEqual(NEXT_DAYS);
    expect(Object.keys(body.members).sort()).toEqual(["network_on_linear", "seasonal_naive"]);
    for (const values of Object.values(body.members)) expect(values).toHaveLength(14);
    // The ensemble is a convex combination of its members: at every step within their range.
    body.forecast.forEach(({ value }, k) => {
      const at = Object.values(body.members).map((values) => values[k]);
      expect(value).toBeGreaterThanOrEqual(Math.min(...at) - 1e-9);
      expect(value).toBeLessThanOrEqual(Math.max(...at) + 1e-9);
      expect(value).toBeGreaterThanOrEqual(0);
    });
  });

  it("uses the global model for a series without its own, cuts to ?horizon, and refuses more than trained", async () => {
    const full = (
      await app.inject({ method: "GET", url: "/api/forecast/Electronics" })
    ).json() as SeriesForecastBody;
    expect(full.model.name).toBe("global");
    const cut = await app.inject({ method: "GET", url: "/api/forecast/Electronics?horizon=3" });
    expect(cut.statusCode).toBe(200);
    expect((cut.json() as SeriesForecastBody).forecast).toEqual(full.forecast.slice(0, 3));
    const over = await app.inject({ method: "GET", url: "/api/forecast/Electronics?horizon=15" });
    expect(over.statusCode).toBe(422);
    expect(over.json().message).toBe(
      "horizon must be at most 14, the horizon the model was trained for, got 15",
    );
    const bad = await app.inject({ method: "GET", url: "/api/forecast/Electronics?horizon=zero" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/horizon/);
  });

  it("answers 404 for a series no model was trained on", async () => {
    const response = await app.inject({ method: "GET", url: "/api/forecast/Toys" });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: "unknown_series", message: "no model serves series 'Toys'" });
  });
});

describe("intervals of a trained model's stored forecasts", () => {
  it("answers the default levels, 95% around 80% around the forecast, never below 0", async () => {
    const response = await app.inject({ method: "GET", url: "/api/forecast/Beauty" });
    const body = response.json() as SeriesForecastBody & {
      intervals: Record<string, { lower: number[]; upper: number[] }>;
    };
    expect(Object.keys(body.intervals)).toEqual(["80", "95"]);
    const [eighty, ninetyFive] = [body.intervals["80"], body.intervals["95"]];
    body.forecast.forEach(({ value }, k) => {
      expect(ninetyFive.lower[k]).toBeGreaterThanOrEqual(0);
      expect(ninetyFive.lower[k]).toBeLessThanOrEqual(eighty.lower[k]);
      expect(eighty.lower[k]).toBeLessThanOrEqual(value);
      expect(value).toBeLessThanOrEqual(eighty.upper[k]);
      expect(eighty.upper[k]).toBeLessThanOrEqual(ninetyFive.upper[k]);
    });
    // Conformal widths come from cross-validation errors, which are never all zero on real sales.
    expect(eighty.upper.some((upper, k) => upper > body.forecast[k].value)).toBe(true);
  });
});

describe("GET /api/forecast", () => {
  it("lists every series once, and the same as CSV rows series_id,date,forecast", async () => {
    const json = await app.inject({ method: "GET", url: "/api/forecast?horizon=2&level=" });
    expect(json.statusCode).toBe(200);
    const { series } = json.json() as { series: SeriesForecastBody[] };
    expect(series.map((s) => s.series_id)).toEqual(["Beauty", "Clothing", "Electronics"]);
    const csv = await app.inject({
      method: "GET",
      url: "/api/forecast?horizon=2&level=",
      headers: { accept: "text/csv" },
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers["content-type"]).toMatch(/^text\/csv/);
    const lines = csv.body.trimEnd().split("\n");
    expect(lines[0]).toBe("series_id,date,forecast");
    expect(lines.slice(1)).toEqual(
      series.flatMap((s) => s.forecast.map((p) => `${s.series_id},${p.date},${p.value}`)),
    );
    expect(lines).toHaveLength(1 + 3 * 2);
  });

  it("refuses a horizon beyond the trained one with a 422 before any CSV row is sent", async () => {
    const over = await app.inject({
      method: "GET",
      url: "/api/forecast?horizon=15",
      headers: { accept: "text/csv" },
    });
    expect(over.statusCode).toBe(422);
    expect(over.json().message).toBe(
      "horizon must be at most 14, the horizon the model was trained for, got 15",
    );
  });

  it("lets go of the versions it streamed once the CSV is sent: a promotion after it completes", async () => {
    const csv = await app.inject({ method: "GET", url: "/api/forecast", headers: { accept: "text/csv" } });
    expect(csv.statusCode).toBe(200);
    // a version still leased would keep the replaced global model from closing: replace would never resolve
    const replaced = models.replace(await loadForecaster(trained.global, "again")).then(() => "replaced");
    const timeout = new Promise((resolve) => setTimeout(resolve, 5000, "still leased"));
    expect(await Promise.race([replaced, timeout])).toBe("replaced");
  });
});
