import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSeries } from "../../src/data/index.ts";
import {
  buildApp,
  createMetrics,
  createSeriesCatalog,
  type SalescastMetrics,
  type ServerApp,
  type ServingModels,
} from "../../src/server/index.ts";
import { openRegistry, samples } from "./registry-server.ts";
import { salesWindow, serveFolders, type TrainedModels, trainTestModels } from "./trained-models.ts";

// What buildApp wires together: metrics, the series routes, the dashboard, the registry routes and the
// OpenAPI document that describes them.

let trained: TrainedModels;
let models: ServingModels;
let metrics: SalescastMetrics;
let app: ServerApp;
let dashboard: string;

beforeAll(async () => {
  trained = await trainTestModels();
  dashboard = mkdtempSync(join(tmpdir(), "salescast-dashboard-"));
  mkdirSync(join(dashboard, "assets"));
  writeFileSync(join(dashboard, "index.html"), '<!doctype html><script src="/assets/app-1a2b.js"></script>');
  writeFileSync(join(dashboard, "assets", "app-1a2b.js"), "console.log('dashboard')");
  const { series } = await loadSeries(trained.config.data);
  models = await serveFolders([trained.global, trained.beauty]);
  metrics = createMetrics();
  app = await buildApp({
    config: trained.config,
    models,
    metrics,
    catalog: createSeriesCatalog(series),
    dashboardDir: dashboard,
  });
});

afterAll(async () => {
  await app?.close();
  rmSync(dashboard, { recursive: true, force: true });
  trained.remove();
});

const get = (url: string) => app.inject({ method: "GET", url });

describe("buildApp", () => {
  it("serves the series routes over the catalog it is given", async () => {
    const list = (await get("/api/series")).json();
    expect(list.series.map((one: { id: string }) => one.id)).toEqual(["Beauty", "Clothing", "Electronics"]);
    const history = await get("/api/series/Beauty?start=2023-03-01&end=2023-03-07");
    expect(history.statusCode).toBe(200);
    expect(history.json().dates).toHaveLength(7);
    expect((await get("/api/series/Toys")).statusCode).toBe(404);
  });

  it("serves the dashboard at GET / and its assets", async () => {
    const page = await get("/");
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.body).toContain("/assets/app-1a2b.js");
    const script = await get("/assets/app-1a2b.js");
    expect(script.statusCode).toBe(200);
    expect(script.body).toBe("console.log('dashboard')");
  });

  it("counts predictions by model version, single and batched, and the micro-batch sizes", async () => {
    const globalVersion = basename(trained.global);
    const singles = Array.from({ length: 5 }, (_, i) =>
      app.inject({ method: "POST", url: "/api/predict", payload: { series: salesWindow(i) } }),
    );
    for (const response of await Promise.all(singles)) expect(response.statusCode).toBe(200);
    const batch = await app.inject({
      method: "POST",
      url: "/api/predict/batch",
      payload: {
        items: [
          { series: salesWindow(1) },
          { series_id: "Electronics", series: salesWindow(2) },
          { series_id: "Beauty", series: salesWindow(3) },
        ],
      },
    });
    expect(batch.statusCode).toBe(200);
    const text = (await get("/metrics")).body;
    expect(samples(text, "salescast_predictions_total")).toEqual(
      new Map([
        [`{model="global",version="${globalVersion}"}`, 7],
        [`{model="series:Beauty",version="${basename(trained.beauty)}"}`, 1],
      ]),
    );
    expect(samples(text, "salescast_micro_batch_size_sum").get("")).toBe(5);
    expect(samples(text, "salescast_serving_model_info")).toEqual(
      new Map([
        [`{model="global",version="${globalVersion}"}`, 1],
        [`{model="series:Beauty",version="${basename(trained.beauty)}"}`, 1],
      ]),
    );
    expect(
      samples(text, "salescast_http_requests_total").get(
        '{method="POST",route="/api/predict/batch",status_code="200"}',
      ),
    ).toBe(1);
  });

  it("has no registry routes without a registry, and no series routes without a catalog", async () => {
    expect((await get("/api/models")).json().error).toBe("not_found");
    const bare = await buildApp({ config: trained.config, models: await serveFolders([trained.global]) });
    try {
      expect((await bare.inject({ method: "GET", url: "/api/series" })).statusCode).toBe(404);
      expect((await bare.inject({ method: "GET", url: "/api/health" })).statusCode).toBe(200);
    } finally {
      await bare.close();
    }
  });

  it("empties the serving-model gauge when it closes", async () => {
    const own = createMetrics();
    const closing = await buildApp({
      config: trained.config,
      models: await serveFolders([trained.global]),
      metrics: own,
    });
    expect(samples(await own.registry.metrics(), "salescast_serving_model_info").size).toBe(1);
    await closing.close();
    expect(samples(await own.registry.metrics(), "salescast_serving_model_info").size).toBe(0);
  });
});

describe("the OpenAPI document", () => {
  it("describes the series, registry and training routes, with the bearer scheme on those that change state", async () => {
    const { dir, config, registry } = await openRegistry();
    const withRegistry = await buildApp({
      config,
      models: await serveFolders([]),
      registry,
      catalog: createSeriesCatalog([]),
    });
    try {
      const doc = (await withRegistry.inject({ method: "GET", url: "/openapi.json" })).json();
      expect(doc.tags.map((tag: { name: string }) => tag.name)).toEqual([
        "forecast",
        "series",
        "models",
        "training",
        "operations",
      ]);
      expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
      const paths = doc.paths;
      for (const path of [
        "/api/series",
        "/api/series/{id}",
        "/api/series/{id}/covariates",
        "/api/holidays",
        "/api/models",
        "/api/models/{id}",
        "/api/train/{run_id}",
      ]) {
        expect(paths[path]?.get, path).toBeDefined();
      }
      for (const path of [
        "/api/models/{id}/promote",
        "/api/models/rollback",
        "/api/train",
        "/api/train_all",
      ]) {
        const operation = paths[path]?.post;
        expect(operation?.security, path).toEqual([{ bearerAuth: [] }]);
        expect(Object.keys(operation.responses), path).toContain("401");
      }
      expect(paths["/api/train"].post.tags).toEqual(["training"]);
      expect(Object.keys(paths["/api/train"].post.responses).sort()).toEqual([
        "200",
        "202",
        "400",
        "401",
        "409",
        "422",
        "500",
        "503",
      ]);
      expect(Object.keys(paths["/api/train_all"].post.responses).sort()).toEqual([
        "200",
        "400",
        "401",
        "409",
        "500",
        "503",
      ]);
      expect(paths["/api/models"].get.tags).toEqual(["models"]);
      expect(paths["/api/series"].get.tags).toEqual(["series"]);
      const trainBody = paths["/api/train"].post.requestBody.content["application/json"];
      expect(trainBody.schema.properties).toHaveProperty("overrides");
      expect(trainBody.examples ?? trainBody.schema.examples).toBeDefined();
    } finally {
      await withRegistry.close();
      await registry.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
