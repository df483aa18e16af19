import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importCheckpoint, ORIGINAL_DEFAULTS } from "../../src/checkpoint/index.ts";
import { buildApp, ServingModels } from "../../src/server/index.ts";
import { openRegistry, type RegistryServer, startServer } from "./registry-server.ts";

// The original Python service's users, switching: their four trained checkpoints imported, then their client's
// calls replayed against salescast, which must answer what the original answers (predictions.json).

const ORIGINAL = fileURLToPath(new URL("../fixtures/original_checkpoints/", import.meta.url));

interface Expected {
  windows: number[][];
  checkpoints: Record<string, { predicted_sales: number[] }>;
}
const expected: Expected = JSON.parse(readFileSync(`${ORIGINAL}predictions.json`, "utf8"));

/** Each checkpoint of the original, and the series it serves here (the global model for model.ckpt). */
const CHECKPOINTS = [
  { checkpoint: "model", normalization: "normalization", series: undefined },
  { checkpoint: "model_beauty", normalization: "normalization_beauty", series: "Beauty" },
  { checkpoint: "model_clothing", normalization: "normalization_clothing", series: "Clothing" },
  { checkpoint: "model_electronics", normalization: "normalization_electronics", series: "Electronics" },
];

let server: RegistryServer;
let importedIds: Map<string, number>;

beforeAll(async () => {
  // As the original ran: admin routes open (no token), so its client, which sends none, can train.
  const { dir, config, registry } = await openRegistry(['server.admin_token=""']);
  importedIds = new Map();
  for (const { checkpoint, normalization, series } of CHECKPOINTS) {
    const { registration } = await importCheckpoint(config.paths.artifacts, registry, {
      checkpoint: `${ORIGINAL}${checkpoint}.ckpt`,
      normalization: `${ORIGINAL}${normalization}.json`,
      series,
      ...ORIGINAL_DEFAULTS,
    });
    expect(registration.promoted).toBe(true);
    importedIds.set(checkpoint, registration.model.id);
  }
  server = await startServer(dir, config, registry);
});

afterAll(async () => {
  await server?.close();
});

const post = (url: string, body?: unknown, headers: Record<string, string> = {}) =>
  server.app.inject({
    method: "POST",
    url,
    headers,
    ...(body === undefined ? {} : { payload: body as object }),
  });

const relative = (got: number, want: number) => Math.abs(got - want) / Math.abs(want);

describe("the original's client against its imported checkpoints", () => {
  it("POST /api/predict and /api/predict/{category} answer the original's predictions within 1e-4", async () => {
    let largest = 0;
    for (const { checkpoint, series } of CHECKPOINTS) {
      const url = series === undefined ? "/api/predict" : `/api/predict/${series}`;
      for (const [i, window] of expected.windows.entries()) {
        const response = await post(url, { series: window });
        expect(response.statusCode).toBe(200);
        const body = response.json();
        expect(body.model.id).toBe(importedIds.get(checkpoint));
        const want = expected.checkpoints[checkpoint].predicted_sales[i];
        const difference = relative(body.predicted_sales, want);
        expect(difference, `${checkpoint}, window ${i}: ${body.predicted_sales} vs ${want}`).toBeLessThan(
          1e-4,
        );
        largest = Math.max(largest, difference);
      }
    }
    console.info(`largest relative difference against predictions.json: ${largest.toExponential(3)}`);
  });

  it("answers a window of another length with a 422 naming the rule, as the original does", async () => {
    const response = await post("/api/predict/Beauty", { series: [1, 2, 3] });
    expect(response.statusCode).toBe(422);
    expect(response.json().message).toBe("series must contain exactly 14 values, got 3");
  });

  it("refuses an unknown category with a 422 naming it, before any run starts", async () => {
    const response = await post("/api/train", { categories: ["Beauty", "Toys"], experiment_name: "sales" });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toEqual({
      error: "unknown_category",
      message: "categories names unknown category 'Toys' (known: Beauty, Clothing, Electronics)",
    });
  });

  it("refuses the original's body mixed with salescast's", async () => {
    const response = await post("/api/train", { categories: ["Beauty"], overrides: ["train.max_epochs=1"] });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toContain("cannot be combined with series or overrides");
  });

  it("POST /api/train with the original's body trains the category, waits, and answers as its client expects", async () => {
    const response = await post("/api/train", { categories: ["Beauty"], experiment_name: "sales_forecast" });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ status: "success", trained: ["Beauty"], experiment_name: "sales_forecast" });
    expect(body.versions).toHaveLength(1);
    const version = await server.registry.get(body.versions[0]);
    expect(version.name).toBe("series:Beauty");
    // a validation MASE beats the imported version's missing one (if_better): the new version serves at once
    expect(version.stage).toBe("production");
    const run = (await server.app.inject({ method: "GET", url: `/api/train/${body.run_id}` })).json();
    expect(run).toMatchObject({ status: "succeeded", scope: "per_series", model_ids: body.versions });
    const forecast = (await post("/api/predict/Beauty", { series: expected.windows[0] })).json();
    expect(forecast.model.id).toBe(version.id);
    // the other categories still serve their imported checkpoints
    const clothing = (await post("/api/predict/Clothing", { series: expected.windows[0] })).json();
    expect(clothing.model.id).toBe(importedIds.get("model_clothing"));
  });

  it("POST /api/train_all with no body trains every category and waits", async () => {
    const response = await post("/api/train_all");
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ status: "success", trained: ["Beauty", "Clothing", "Electronics"] });
    const names = [];
    for (const id of body.versions as number[]) names.push((await server.registry.get(id)).name);
    expect(names).toEqual(["series:Beauty", "series:Clothing", "series:Electronics"]);
  });

  it("answers 503 when the sales history cannot be read, and 500 with the run's error when training fails", async () => {
    const missing = `${server.dir}/no-such-sales.csv`;
    const config = { ...server.config, data: { ...server.config.data, csv_path: missing } };
    const broken = await buildApp({
      config,
      models: new ServingModels({ microBatchMax: 8 }),
      registry: server.registry,
    });
    try {
      const named = await broken.inject({
        method: "POST",
        url: "/api/train",
        payload: { categories: ["Beauty"] },
      });
      expect(named.statusCode).toBe(503);
      expect(named.json().error).toBe("data_unavailable");
      expect(named.json().message).toContain("no-such-sales.csv");
      // train_all names no category to check first: the run itself fails, and the answer says why
      const all = await broken.inject({ method: "POST", url: "/api/train_all" });
      expect(all.statusCode).toBe(500);
      expect(all.json().error).toBe("training_failed");
      expect(all.json().message).toMatch(/^training run [0-9a-f-]+ failed: .*no-such-sales\.csv/);
    } finally {
      await broken.close();
    }
  });

  it("honours the admin token when one is set: the original's client, sending none, gets a 401", async () => {
    const config = { ...server.config, server: { ...server.config.server, admin_token: "secret-9c1d" } };
    const models = new ServingModels({ microBatchMax: 8 });
    const guarded = await buildApp({ config, models, registry: server.registry });
    try {
      for (const url of ["/api/train", "/api/train_all"]) {
        const response = await guarded.inject({ method: "POST", url, payload: { categories: ["Beauty"] } });
        expect(response.statusCode, url).toBe(401);
      }
      const authorized = await guarded.inject({
        method: "POST",
        url: "/api/train",
        headers: { authorization: "Bearer secret-9c1d" },
        payload: { categories: ["Toys"] },
      });
      expect(authorized.statusCode).toBe(422);
    } finally {
      await guarded.close();
    }
  });
});
