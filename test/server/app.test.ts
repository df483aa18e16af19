import { basename } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { SalesForecaster } from "../../src/forecast/index.ts";
import { buildApp, type SalescastApp, type ServingModels } from "../../src/server/index.ts";
import {
  loadForecaster,
  salesWindow,
  serveFolders,
  type TrainedModels,
  trainTestModels,
} from "./trained-models.ts";

let trained: TrainedModels;
let globalModel: SalesForecaster;
let beautyModel: SalesForecaster;

beforeAll(async () => {
  trained = await trainTestModels();
  globalModel = await loadForecaster(trained.global);
  beautyModel = await loadForecaster(trained.beauty);
});

afterAll(async () => {
  await globalModel.close();
  await beautyModel.close();
  trained.remove();
});

async function appOver(folders: string[], server: Partial<TrainedModels["config"]["server"]> = {}) {
  const models = await serveFolders(folders);
  const config = { ...trained.config, server: { ...trained.config.server, ...server } };
  return { app: await buildApp({ config, models }), models };
}

const WINDOW = salesWindow(1);

function postJson(app: SalescastApp, url: string, body: unknown) {
  return app.inject({ method: "POST", url, payload: body as object });
}

function postRaw(app: SalescastApp, url: string, payload: string, contentType?: string) {
  const headers: Record<string, string> = contentType ? { "content-type": contentType } : {};
  return app.inject({ method: "POST", url, payload, headers });
}

/** Every failure answers `{error, message, details?}` and nothing else. */
function expectErrorShape(body: Record<string, unknown>) {
  expect(Object.keys(body).filter((key) => !["error", "message", "details"].includes(key))).toEqual([]);
  expect(typeof body.error).toBe("string");
  expect(typeof body.message).toBe("string");
}

describe("with the global and two per-series models serving", () => {
  let app: SalescastApp;

  beforeAll(async () => {
    ({ app } = await appOver([trained.global, trained.beauty, trained.clothing]));
  });
  afterAll(() => app.close());

  it("POST /api/predict forecasts with the global model and its pooled statistics", async () => {
    const response = await postJson(app, "/api/predict", { series: WINDOW, level: [] });
    expect(response.statusCode).toBe(200);
    const expected = await globalModel.predict(WINDOW);
    expect(response.json()).toEqual({
      predicted_sales: expected.predicted_sales,
      forecast: expected.forecast,
      model: {
        name: "global",
        version: basename(trained.global),
        scope: "global",
        window_size: 14,
        horizon: 14,
        frequency: "D",
        created_at: globalModel.info.created_at,
      },
    });
  });

  it("POST /api/predict/{series_id} prefers the model trained for that series", async () => {
    const response = await postJson(app, "/api/predict/Beauty", { series: WINDOW });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.model).toMatchObject({
      name: "series:Beauty",
      version: basename(trained.beauty),
      series_id: "Beauty",
    });
    expect(body.predicted_sales).toBe((await beautyModel.predict(WINDOW, "Beauty")).predicted_sales);
  });

  it("POST /api/predict/{series_id} uses the global model with that series' statistics otherwise", async () => {
    const response = await postJson(app, "/api/predict/Electronics", { series: WINDOW });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.model).toMatchObject({ name: "global", series_id: "Electronics" });
    const expected = await globalModel.predict(WINDOW, "Electronics");
    expect(body.predicted_sales).toBe(expected.predicted_sales);
    expect(body.predicted_sales).not.toBe((await globalModel.predict(WINDOW)).predicted_sales);
  });

  it("answers 404 for an unknown series, naming no other series and no file", async () => {
    const response = await postJson(app, "/api/predict/Toys", { series: WINDOW });
    expect(response.statusCode).toBe(404);
    const body = response.json();
    expectErrorShape(body);
    expect(body).toEqual({ error: "unknown_series", message: "no model serves series 'Toys'" });
  });

  it.each([
    ["..%2F..%2Fetc%2Fpasswd"],
    ["%2Fetc%2Fpasswd"],
    ["..%2F..%2F..%2F..%2F..%2F..%2Fproc%2Fself%2Fenviron"],
  ])("answers 404 for the path-like series id %s", async (id) => {
    const response = await postJson(app, `/api/predict/${id}`, { series: WINDOW });
    expect(response.statusCode).toBe(404);
    expect(response.json().error).toBe("unknown_series");
  });

  it("never reads a series id as a path: an artifact folder's own name is an unknown series", async () => {
    // Were the id joined to paths.artifacts, these would name real, loadable model folders.
    for (const id of [
      basename(trained.beauty),
      `..%2F${basename(trained.root)}%2F${basename(trained.beauty)}`,
    ]) {
      const response = await postJson(app, `/api/predict/${id}`, { series: WINDOW });
      expect(response.statusCode).toBe(404);
    }
  });

  it("answers 422 with the rule and both lengths for a window of the wrong length", async () => {
    const response = await postJson(app, "/api/predict", { series: WINDOW.slice(1) });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toEqual({
      error: "invalid_series",
      message: "series must contain exactly 14 values, got 13",
    });
    const long = await postJson(app, "/api/predict/Clothing", { series: [...WINDOW, 1] });
    expect(long.statusCode).toBe(422);
    expect(long.json().message).toBe("series must contain exactly 14 values, got 15");
  });

  const withValue = (raw: string) => `{"series":[${[...WINDOW.slice(0, 13).map(String), raw].join(",")}]}`;

  it.each([
    ["a string value", withValue('"110"'), 'series[13] must be a finite number, got the string "110"'],
    ["null", withValue("null"), "series[13] must be a finite number, got null"],
    ["true", withValue("true"), "series[13] must be a finite number, got true"],
    ["a nested array", withValue("[1]"), "series[13] must be a finite number, got an array"],
    [
      "a number beyond float64 (parsed as Infinity)",
      withValue("1e400"),
      "series[13] must be a finite number, got Infinity",
    ],
    ["series as a string", '{"series":"100,120"}', 'series must be an array, got the string "100,120"'],
    ["series as null", '{"series":null}', "series must be an array, got null"],
    ["a missing field", "{}", "body is missing the required field 'series'"],
    [
      "a misspelt field",
      `{"serie":${JSON.stringify(WINDOW)}}`,
      "body is missing the required field 'series'",
    ],
    [
      "an extra field",
      `{"series":${JSON.stringify(WINDOW)},"store":"north"}`,
      "body has an unexpected field 'store'",
    ],
    ["a JSON array body", JSON.stringify(WINDOW), "body must be a JSON object, got an array"],
    ["a JSON null body", "null", "body must be a JSON object, got null"],
  ])("answers 400 for %s", async (_, payload, message) => {
    const response = await postRaw(app, "/api/predict", payload, "application/json");
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expectErrorShape(body);
    expect(body.error).toBe("invalid_request");
    expect(body.message).toBe(message);
    expect(body.details).toHaveLength(1);
  });

  it.each([
    ["NaN", withValue("NaN")],
    ["Infinity", withValue("Infinity")],
    ["-Infinity", withValue("-Infinity")],
  ])("answers 400 for %s, which JSON cannot hold, and says so", async (_, payload) => {
    const response = await postRaw(app, "/api/predict", payload, "application/json");
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expectErrorShape(body);
    expect(body.error).toBe("invalid_json");
    expect(body.message).toMatch(
      /^the request body is not valid JSON \(NaN and Infinity are not JSON numbers\): /,
    );
  });

  it.each([
    ["a body that is not JSON", "series=1,2,3", "the request body is not valid JSON: "],
    ["truncated JSON", '{"series":[1,2', "the request body is not valid JSON: "],
    ["an empty body", "", "the request body is empty: send a JSON object"],
    [
      "a __proto__ key",
      `{"__proto__":{"x":1},"series":${JSON.stringify(WINDOW)}}`,
      "the request body must not set __proto__",
    ],
  ])("answers 400 for %s", async (_, payload, start) => {
    const response = await postRaw(app, "/api/predict", payload, "application/json");
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe("invalid_json");
    expect(response.json().message.startsWith(start)).toBe(true);
  });

  it.each([
    ["text/plain", "content type 'text/plain' is not supported: send the body as application/json"],
    [
      "application/x-www-form-urlencoded",
      "content type 'application/x-www-form-urlencoded' is not supported: send the body as application/json",
    ],
    [undefined, "the request has no content type: send the body as application/json"],
  ])("answers 415 for content type %s", async (contentType, message) => {
    const response = await postRaw(app, "/api/predict", JSON.stringify({ series: WINDOW }), contentType);
    expect(response.statusCode).toBe(415);
    expect(response.json()).toEqual({ error: "unsupported_media_type", message });
  });

  it("accepts application/json with a charset", async () => {
    const payload = JSON.stringify({ series: WINDOW });
    const response = await postRaw(app, "/api/predict", payload, "application/json; charset=utf-8");
    expect(response.statusCode).toBe(200);
  });

  it("answers 413 for a body over the size limit", async () => {
    const limit = trained.config.server.body_limit_bytes;
    const padding = " ".repeat(limit);
    const response = await postRaw(
      app,
      "/api/predict",
      `{"series":${JSON.stringify(WINDOW)}}${padding}`,
      "application/json",
    );
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual({
      error: "payload_too_large",
      message: `the request body is over the limit of ${limit} bytes`,
    });
  });

  it("POST /api/predict/batch answers every item in order, each as it would be alone", async () => {
    const items = [
      { series_id: "Clothing", series: salesWindow(2) },
      { series: salesWindow(3) },
      { series_id: "Electronics", series: salesWindow(4) },
      { series_id: "Beauty", series: salesWindow(5) },
      { series_id: "Electronics", series: salesWindow(6) },
    ];
    const response = await postJson(app, "/api/predict/batch", { items });
    expect(response.statusCode).toBe(200);
    const { results } = response.json();
    expect(results.map((r: { model: { name: string } }) => r.model.name)).toEqual([
      "series:Clothing",
      "global",
      "global",
      "series:Beauty",
      "global",
    ]);
    const alone = await Promise.all(
      items.map(async (item) =>
        (
          await postJson(app, item.series_id ? `/api/predict/${item.series_id}` : "/api/predict", {
            series: item.series,
          })
        ).json(),
      ),
    );
    expect(results).toEqual(alone);
    expect(new Set(results.map((r: { predicted_sales: number }) => r.predicted_sales)).size).toBe(
      items.length,
    );
  });

  it("answers 422 naming the index of the first bad item", async () => {
    const items = [0, 1, 2].map((seed) => ({ series: salesWindow(seed) }));
    const bad = [...items, { series_id: "Beauty", series: [1, 2] }, { series: [1] }];
    const response = await postJson(app, "/api/predict/batch", { items: bad });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toEqual({
      error: "invalid_series",
      message: "items[3].series must contain exactly 14 values, got 2",
    });
  });

  it("answers 422 naming the index of an item with an unknown series", async () => {
    const items = [{ series: WINDOW }, { series_id: "Toys", series: WINDOW }];
    const response = await postJson(app, "/api/predict/batch", { items });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toEqual({
      error: "unknown_series",
      message: "items[1].series_id: no model serves series 'Toys'",
    });
  });

  it.each([
    ["an empty list", { items: [] }, "items must hold at least 1 entries, got 0"],
    [
      "an item with an extra field",
      { items: [{ series: WINDOW }, { series: WINDOW, id: 1 }] },
      "items[1] has an unexpected field 'id'",
    ],
    [
      "an item with a null value",
      { items: [{ series: [...WINDOW.slice(1), null] }] },
      "items[0].series[13] must be a finite number, got null",
    ],
    [
      "an item without series",
      { items: [{ series_id: "Beauty" }] },
      "items[0] is missing the required field 'series'",
    ],
    [
      "a series id that is not a string",
      { items: [{ series_id: 7, series: WINDOW }] },
      "items[0].series_id must be a string, got 7",
    ],
  ])("answers 400 for a batch with %s", async (_, body, message) => {
    const response = await postJson(app, "/api/predict/batch", body);
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toBe(message);
  });

  it("GET /api/health lists the models loaded", async () => {
    const response = await app.inject({ method: "GET", url: "/api/health" });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.status).toBe("ok");
    expect(body.models_loaded).toBe(3);
    expect(body.message).toBeUndefined();
    const byName = Object.fromEntries(body.models.map((m: { name: string }) => [m.name, m]));
    expect(Object.keys(byName).sort()).toEqual(["global", "series:Beauty", "series:Clothing"]);
    expect(byName.global.series).toEqual(["Beauty", "Clothing", "Electronics"]);
    expect(byName["series:Beauty"]).toMatchObject({ version: basename(trained.beauty), series: ["Beauty"] });
  });

  it("GET /openapi.json documents every route, with examples", async () => {
    const response = await app.inject({ method: "GET", url: "/openapi.json" });
    expect(response.statusCode).toBe(200);
    const spec = response.json();
    expect(Object.keys(spec.paths).sort()).toEqual([
      "/api/forecast",
      "/api/forecast/{series_id}",
      "/api/health",
      "/api/health/ready",
      "/api/holidays",
      "/api/predict",
      "/api/predict/batch",
      "/api/predict/{series_id}",
    ]);
    const predict = spec.paths["/api/predict"].post;
    expect(predict.requestBody.content["application/json"].example.series).toHaveLength(14);
    expect(Object.keys(predict.responses).sort()).toEqual(["200", "400", "413", "415", "422", "500", "503"]);
    expect(predict.responses["422"].content["application/json"].schema.required).toEqual([
      "error",
      "message",
    ]);
  });

  it("GET /docs serves the OpenAPI UI", async () => {
    const response = await app.inject({ method: "GET", url: "/docs" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^text\/html/);
    expect(response.body).toContain("swagger-ui");
  });

  it("answers 404 in the error shape for an unknown route", async () => {
    const response = await app.inject({ method: "GET", url: "/api/nothing" });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: "not_found", message: "no route for GET /api/nothing" });
  });
});

describe("limits from the config", () => {
  it("refuses a batch over server.batch_max_items with 400", async () => {
    const { app } = await appOver([trained.global], { batch_max_items: 2 });
    try {
      const items = [0, 1, 2].map((seed) => ({ series: salesWindow(seed) }));
      const response = await postJson(app, "/api/predict/batch", { items });
      expect(response.statusCode).toBe(400);
      expect(response.json().message).toBe("items must hold at most 2 entries, got 3");
      const fits = await postJson(app, "/api/predict/batch", { items: items.slice(0, 2) });
      expect(fits.statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it("refuses a body over server.body_limit_bytes with 413", async () => {
    const { app } = await appOver([trained.global], { body_limit_bytes: 64 });
    try {
      const response = await postJson(app, "/api/predict", { series: WINDOW });
      expect(response.statusCode).toBe(413);
      expect(response.json().message).toBe("the request body is over the limit of 64 bytes");
    } finally {
      await app.close();
    }
  });
});

describe("which model answers a forecast without a series", () => {
  let models: ServingModels;
  let app: SalescastApp;
  afterAll(() => app?.close());

  it("is the only model when just one serves, even a per-series one", async () => {
    ({ app, models } = await appOver([trained.beauty]));
    const response = await postJson(app, "/api/predict", { series: WINDOW });
    expect(response.statusCode).toBe(200);
    expect(response.json().model.name).toBe("series:Beauty");
    expect(models.size).toBe(1);
    await app.close();
  });

  it("is none, with 503 and a message, when several per-series models serve and no global one", async () => {
    ({ app } = await appOver([trained.beauty, trained.clothing]));
    const response = await postJson(app, "/api/predict", { series: WINDOW });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({
      error: "model_unavailable",
      message:
        "no global model is serving, and 2 per-series models are: name the series with POST /api/predict/{series_id}",
    });
    const named = await postJson(app, "/api/predict/Clothing", { series: WINDOW });
    expect(named.statusCode).toBe(200);
  });
});

describe("with no model", () => {
  let app: SalescastApp;
  beforeAll(async () => {
    ({ app } = await appOver([]));
  });
  afterAll(() => app.close());

  it("is up, and GET /api/health says no model is loaded and how to get one", async () => {
    const response = await app.inject({ method: "GET", url: "/api/health" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      status: "ok",
      models_loaded: 0,
      models: [],
      message: expect.stringContaining("npx salescast train"),
    });
  });

  it.each([
    ["/api/predict", { series: WINDOW }],
    ["/api/predict/Beauty", { series: WINDOW }],
    ["/api/predict/batch", { items: [{ series: WINDOW }] }],
    ["/api/predict/batch", { items: [{ series_id: "Beauty", series: WINDOW }] }],
  ])("answers 503 with how to train a model to POST %s", async (url, body) => {
    const response = await postJson(app, url, body);
    expect(response.statusCode).toBe(503);
    expect(response.json().error).toBe("model_unavailable");
    expect(response.json().message).toContain("npx salescast train");
  });

  it("still validates the body first", async () => {
    const response = await postJson(app, "/api/predict", { series: "x" });
    expect(response.statusCode).toBe(400);
  });
});

describe("a server fault", () => {
  it("answers 500 in the error shape without the fault's details", async () => {
    const { app, models } = await appOver([trained.global]);
    try {
      const [model] = models.list();
      vi.spyOn(model.forecaster, "predictMany").mockRejectedValue(new Error("secret: /opt/models/x failed"));
      const response = await postJson(app, "/api/predict", { series: WINDOW });
      expect(response.statusCode).toBe(500);
      expect(response.json()).toEqual({ error: "internal_error", message: "internal server error" });
    } finally {
      await app.close();
    }
  });
});
