import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { buildApp, loadSeriesCatalog, type SalescastApp } from "../../src/server/index.ts";
import { silentProgress, trainFromConfig } from "../../src/train/index.ts";
import {
  expectPromotionLift,
  PROMO_HORIZON,
  PROMO_WEEKS,
  promoLift,
  promoOverrides,
  promoRequest,
  weekDate,
  writePromoData,
} from "./promo-data.ts";
import { CONFIG_FILE, serveFolders } from "./trained-models.ts";

const root = mkdtempSync(join(tmpdir(), "salescast-covariates-"));
const WEEKS = PROMO_WEEKS;
const HORIZON = PROMO_HORIZON;
const WINDOW = 8;
let app: SalescastApp;
let plainOverrides: string[];
let plainFolder: string;
let config: ReturnType<typeof loadConfig>;
/** What the covariates file holds, by series: promo and temperature of week t. */
let written: ReturnType<typeof writePromoData>;

beforeAll(async () => {
  written = writePromoData(root);
  const overrides = [...promoOverrides(root, WINDOW), "model.members=[seasonal_naive, linear]"];
  plainOverrides = overrides.filter((o) => !/^data\.(covariates_path|known_future|holidays)=/.test(o));
  plainFolder = (
    await trainFromConfig(loadConfig(CONFIG_FILE, plainOverrides, {}), { progress: silentProgress })
  ).models[0].artifact.folder;
  config = loadConfig(CONFIG_FILE, overrides, {});
  const { models } = await trainFromConfig(config, { progress: silentProgress });
  app = await buildApp({
    config: loadConfig(CONFIG_FILE, [...overrides, "forecast.clip_negative=false"], {}),
    models: await serveFolders([models[0].artifact.folder]),
    catalog: await loadSeriesCatalog(config.data),
  });
});

afterAll(async () => {
  await app.close();
  rmSync(root, { recursive: true, force: true });
});

const { window, past, promoFor } = promoRequest(WINDOW);

async function predict(payload: Record<string, unknown>, url = "/api/predict") {
  return app.inject({ method: "POST", url, payload });
}

describe("POST /api/predict with covariates", () => {
  it("moves the forecast by the promotion's lift where the horizon has a promotion", async () => {
    expectPromotionLift(await promoLift(app, WINDOW));
  });

  it("is a 422 naming start on a model with holiday features", async () => {
    const response = await predict({
      series: window,
      covariates: { promo: promoFor([0, 0, 0, 0]), temperature: past },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().message).toMatch(/^start is required/);
  });

  it("is a 422 naming a missing covariate and its expected length", async () => {
    const response = await predict({
      series: window,
      start: "2021-06-04",
      covariates: { temperature: past },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().message).toBe(
      "covariates.promo is required: window_size + horizon = 12 values (known ahead)",
    );
  });

  it("is a 422 naming a wrongly sized, an extra or a past-only covariate sent for the horizon", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        { promo: [0, 1], temperature: past },
        "covariates.promo must have window_size + horizon = 12 values (known ahead), got 2",
      ],
      [
        { promo: promoFor([0, 0, 0, 0]), temperature: [...past, 1, 1, 1, 1] },
        "covariates.temperature must have window_size = 8 values (past-only), got 12",
      ],
      [
        { promo: promoFor([0, 0, 0, 0]), temperature: past, price: [1] },
        "covariates.price is not a covariate of this model (its covariates: promo, temperature)",
      ],
    ];
    for (const [covariates, message] of cases) {
      const response = await predict({ series: window, start: "2021-06-04", covariates });
      expect(response.statusCode).toBe(422);
      expect(response.json().message).toBe(message);
    }
  });

  it("is a 422 for a covariate sent to a model of the sales alone", async () => {
    const plain = await buildApp({
      config: loadConfig(CONFIG_FILE, plainOverrides, {}),
      models: await serveFolders([plainFolder]),
    });
    try {
      const response = await plain.inject({
        method: "POST",
        url: "/api/predict",
        payload: { series: window, covariates: { promo: [1] } },
      });
      expect(response.statusCode).toBe(422);
      expect(response.json().message).toBe(
        "covariates.promo is not a covariate of this model (it was trained on the sales alone)",
      );
    } finally {
      await plain.close();
    }
  });

  it("names the batch item whose covariate is missing", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/api/predict/batch",
      payload: {
        items: [
          {
            series: window,
            start: "2021-06-04",
            covariates: { promo: promoFor([0, 0, 0, 0]), temperature: past },
          },
          { series: window, start: "2021-06-04", covariates: { promo: promoFor([0, 0, 0, 0]) } },
        ],
      },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().message).toMatch(/items\[1\]\.covariates\.temperature is required/);
  });

  it("takes a stored series' window to end at its last training date when start is absent", async () => {
    const covariates = { promo: promoFor([0, 0, 0, 0]), temperature: past };
    const implicit = await predict({ series: window, covariates }, "/api/predict/a");
    // the last training week is weekDate(WEEKS - 1): the window starts WINDOW - 1 weeks before it
    const explicit = await predict(
      { series: window, covariates, start: weekDate(WEEKS - WINDOW) },
      "/api/predict/a",
    );
    expect(implicit.statusCode).toBe(200);
    expect(implicit.json().forecast).toEqual(explicit.json().forecast);
  });
});

describe("GET /api/series/{id}/covariates", () => {
  it("answers the file's rows of the series in the range, past the last sale too", async () => {
    const [from, to] = [WEEKS - 2, WEEKS + HORIZON - 1];
    const response = await app.inject({
      method: "GET",
      url: `/api/series/b/covariates?start=${weekDate(from)}&end=${weekDate(to)}`,
    });
    expect(response.statusCode).toBe(200);
    const rows = written.get("b") as { promo: number[]; temperature: number[] };
    expect(response.json()).toEqual({
      id: "b",
      names: ["promo", "temperature"],
      known_future: ["promo"],
      dates: Array.from({ length: to - from + 1 }, (_, k) => weekDate(from + k)),
      values: { promo: rows.promo.slice(from, to + 1), temperature: rows.temperature.slice(from, to + 1) },
    });
  });

  it("is a 404 for an unknown series, and a 404 naming data.covariates_path when no file is configured", async () => {
    const unknown = await app.inject({ method: "GET", url: "/api/series/zz/covariates" });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toBe("unknown_series");
    const plain = await buildApp({
      config: loadConfig(CONFIG_FILE, plainOverrides, {}),
      models: await serveFolders([plainFolder]),
      catalog: await loadSeriesCatalog(loadConfig(CONFIG_FILE, plainOverrides, {}).data),
    });
    try {
      const none = await plain.inject({ method: "GET", url: "/api/series/a/covariates" });
      expect(none.statusCode).toBe(404);
      expect(none.json()).toMatchObject({ error: "no_covariates" });
      expect(none.json().message).toMatch(/data\.covariates_path/);
    } finally {
      await plain.close();
    }
  });
});

describe("GET /api/holidays", () => {
  it("lists the holidays of a country within the range", async () => {
    const response = await app.inject({
      method: "GET",
      url: "/api/holidays?country=US&start=2011-11-20&end=2011-12-31",
    });
    expect(response.statusCode).toBe(200);
    // Thanksgiving is the fourth Thursday of November; Christmas fell on a Sunday in 2011
    expect(response.json().holidays).toEqual([
      { date: "2011-11-24", name: "Thanksgiving Day" },
      { date: "2011-12-25", name: "Christmas Day" },
      { date: "2011-12-26", name: "Christmas Day (substitute day)" },
    ]);
  });

  it("is a 400 naming the country, the region or the range at fault", async () => {
    const cases: [string, RegExp][] = [
      ["country=XX&start=2011-01-01&end=2011-12-31", /^country must be a country code/],
      ["country=US&region=ZZ&start=2011-01-01&end=2011-12-31", /^region must be a region of US/],
      ["country=US&start=2011-12-31&end=2011-01-01", /^start \(2011-12-31\) must not be after end/],
      ["country=US&start=2011-02-30&end=2011-12-31", /^start must be a calendar date/],
      ["country=US&start=1900-01-01&end=2011-12-31", /more than 50 years/],
      ["country=US&start=2011-01-01", /end/],
    ];
    for (const [query, message] of cases) {
      const response = await app.inject({ method: "GET", url: `/api/holidays?${query}` });
      expect(response.statusCode, query).toBe(400);
      expect(response.json().message, query).toMatch(message);
    }
  });
});
