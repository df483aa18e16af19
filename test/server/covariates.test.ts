import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { Rng } from "../../src/model/index.ts";
import { buildApp, type SalescastApp } from "../../src/server/index.ts";
import { silentProgress, trainFromConfig } from "../../src/train/index.ts";
import { CONFIG_FILE, serveFolders } from "./trained-models.ts";

const root = mkdtempSync(join(tmpdir(), "salescast-covariates-"));
const WEEKS = 120;
const HORIZON = 4;
const WINDOW = 8;
const PROMO_LIFT = 50;
let app: SalescastApp;
let plainOverrides: string[];
let plainFolder: string;

const weekDate = (t: number) => new Date(Date.UTC(2020, 0, 3 + 7 * t)).toISOString().slice(0, 10);

beforeAll(async () => {
  // Sales = 200 + 50 on promotion weeks + noise; the covariates file reaches the horizon past the last week.
  const rng = new Rng(3);
  const promo = Array.from({ length: WEEKS + HORIZON }, () => (rng.nextUint32() % 3 === 0 ? 1 : 0));
  const sales = ["series_id,date,value"];
  const covariates = ["series_id,date,promo,temperature"];
  for (const id of ["a", "b"]) {
    for (let t = 0; t < WEEKS + HORIZON; t++) {
      if (t < WEEKS) sales.push(`${id},${weekDate(t)},${200 + PROMO_LIFT * promo[t] + 2 * rng.normal()}`);
      covariates.push(`${id},${weekDate(t)},${promo[t]},${10 + rng.normal()}`);
    }
  }
  writeFileSync(join(root, "sales.csv"), `${sales.join("\n")}\n`);
  writeFileSync(join(root, "covariates.csv"), `${covariates.join("\n")}\n`);
  const overrides = [
    `paths.artifacts=${JSON.stringify(root)}`,
    `registry.path=${JSON.stringify(join(root, "registry.db"))}`,
    `data.csv_path=${JSON.stringify(join(root, "sales.csv"))}`,
    "data.format=auto",
    `data.window_size=${WINDOW}`,
    `data.horizon=${HORIZON}`,
    "data.season=4",
    "data.normalization=series",
    `data.covariates_path=${JSON.stringify(join(root, "covariates.csv"))}`,
    "data.known_future=[promo]",
    "data.holidays={country: US}",
    "model.members=[seasonal_naive, linear]",
  ];
  plainOverrides = overrides.filter((o) => !/^data\.(covariates_path|known_future|holidays)=/.test(o));
  plainFolder = (
    await trainFromConfig(loadConfig(CONFIG_FILE, plainOverrides, {}), { progress: silentProgress })
  ).models[0].artifact.folder;
  const config = loadConfig(CONFIG_FILE, overrides, {});
  const { models } = await trainFromConfig(config, { progress: silentProgress });
  app = await buildApp({
    config: loadConfig(CONFIG_FILE, [...overrides, "forecast.clip_negative=false"], {}),
    models: await serveFolders([models[0].artifact.folder]),
  });
});

afterAll(async () => {
  await app.close();
  rmSync(root, { recursive: true, force: true });
});

const window = Array.from({ length: WINDOW }, () => 200);
const past = Array.from({ length: WINDOW }, () => 10);
const promoFor = (horizon: number[]) => [...Array(WINDOW).fill(0), ...horizon];

async function predict(payload: Record<string, unknown>, url = "/api/predict") {
  return app.inject({ method: "POST", url, payload });
}

describe("POST /api/predict with covariates", () => {
  it("moves the forecast by the promotion's lift where the horizon has a promotion", async () => {
    const body = { series: window, start: "2021-06-04" };
    const without = await predict({
      ...body,
      covariates: { promo: promoFor([0, 0, 0, 0]), temperature: past },
    });
    const withPromo = await predict({
      ...body,
      covariates: { promo: promoFor([1, 0, 1, 0]), temperature: past },
    });
    expect(without.statusCode).toBe(200);
    expect(withPromo.statusCode).toBe(200);
    const lift = withPromo.json().forecast.map((v: number, k: number) => v - without.json().forecast[k]);
    // the data were made with a lift of 50 on promotion weeks and none otherwise
    expect(Math.abs(lift[0] - PROMO_LIFT)).toBeLessThan(5);
    expect(Math.abs(lift[2] - PROMO_LIFT)).toBeLessThan(5);
    expect(Math.abs(lift[1])).toBeLessThan(5);
    expect(Math.abs(lift[3])).toBeLessThan(5);
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
