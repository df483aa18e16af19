import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readArtifact } from "../../src/artifact/index.ts";
import type { SalesForecaster } from "../../src/forecast/index.ts";
import type { ModelVersion } from "../../src/registry/index.ts";
import {
  ADMIN_TOKEN,
  AUTH,
  loadVersion,
  openRegistry,
  type RegistryServer,
  samples,
  startServer,
  trainVersions,
} from "./registry-server.ts";
import { salesWindow } from "./trained-models.ts";

// Two global versions trained with different seeds, under the manual policy: v1 promoted before the server
// starts, v2 a candidate. The tests run in order: the last one breaks v2's model file.

let server: RegistryServer;
let v1: ModelVersion;
let v2: ModelVersion;
const reference = new Map<string, SalesForecaster>();
const WINDOW = salesWindow(3);

beforeAll(async () => {
  const { dir, config, registry } = await openRegistry(["registry.promotion=manual"]);
  [v1, v2] = await trainVersions(config, registry, [1, 2]);
  await registry.promote(v1.id);
  server = await startServer(dir, config, registry);
  reference.set("v1", await loadVersion(v1, config));
  reference.set("v2", await loadVersion(v2, config));
});

afterAll(async () => {
  for (const forecaster of reference.values()) await forecaster.close();
  await server?.close();
});

const get = (url: string) => server.app.inject({ method: "GET", url });
const post = (url: string, body: unknown = {}, headers: Record<string, string> = AUTH) =>
  server.app.inject({ method: "POST", url, payload: body as object, headers });

/** Every failure answers `{error, message, details?}` and nothing else. */
function expectErrorShape(body: Record<string, unknown>) {
  expect(Object.keys(body).filter((key) => !["error", "message", "details"].includes(key))).toEqual([]);
  expect(typeof body.error).toBe("string");
  expect(typeof body.message).toBe("string");
}

/** What POST /api/predict answers now, checked against what `version` gives alone for the same window. */
async function expectServedBy(version: "v1" | "v2") {
  const response = await post("/api/predict", { series: WINDOW }, {});
  expect(response.statusCode).toBe(200);
  const body = response.json();
  const expected = await (reference.get(version) as SalesForecaster).predict(WINDOW);
  expect(body.model).toMatchObject({ name: "global", version, id: version === "v1" ? v1.id : v2.id });
  expect(body.predicted_sales).toBe(expected.predicted_sales);
}

async function servingGauge(): Promise<Map<string, number>> {
  return samples((await get("/metrics")).body, "salescast_serving_model_info");
}

describe("reading the registry", () => {
  it("the two versions differ, so the answers below tell them apart", async () => {
    const one = await (reference.get("v1") as SalesForecaster).predict(WINDOW);
    const two = await (reference.get("v2") as SalesForecaster).predict(WINDOW);
    expect(one.predicted_sales).not.toBe(two.predicted_sales);
  });

  it("GET /api/models lists every version with its stage, metrics and whether it serves", async () => {
    const response = await get("/api/models");
    expect(response.statusCode).toBe(200);
    const { models } = response.json();
    expect(models).toEqual([
      {
        id: v1.id,
        name: "global",
        version: 1,
        stage: "production",
        created_at: v1.created_at,
        promoted_at: expect.any(String),
        previous_production_id: null,
        metrics: v1.metrics,
        architecture: "cnn_lstm",
        serving: true,
      },
      {
        id: v2.id,
        name: "global",
        version: 2,
        stage: "candidate",
        created_at: v2.created_at,
        promoted_at: null,
        previous_production_id: null,
        metrics: v2.metrics,
        architecture: "cnn_lstm",
        serving: false,
      },
    ]);
    expect(typeof models[0].metrics.model.mase).toBe("number");
  });

  it("GET /api/models/{id} adds the artifact's shape and training settings, without files or secrets", async () => {
    const response = await get(`/api/models/${v2.id}`);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      id: v2.id,
      name: "global",
      version: 2,
      stage: "candidate",
      metrics: v2.metrics,
      onnx_sha256: v2.onnx_sha256,
      artifact: {
        scope: "global",
        series: ["Beauty", "Clothing", "Electronics"],
        frequency: "D",
        window_size: 14,
        horizon: 14,
        season: 7,
        training: { epochs: 1, train_windows: expect.any(Number) },
      },
      training_config: { model: { lstm_hidden: 16 }, train: { seed: 2, max_epochs: 1 } },
    });
    expect(Object.keys(body.training_config).sort()).toEqual(["data", "model", "train"]);
    expect(body.training_config.data).not.toHaveProperty("csv_path");
    // the saved configuration held the admin token and the folders: none of it is shown
    expect(response.body).not.toContain(ADMIN_TOKEN);
    expect(response.body).not.toContain(server.dir);
  });

  it("GET /api/models/{id} names the window member and gives every member's cross-validation from meta.json", async () => {
    const { artifact } = (await get(`/api/models/${v2.id}`)).json();
    const { meta } = readArtifact(v2.folder);
    // these versions have the network as their only member (trainVersions)
    expect(artifact.window_member).toBe("network");
    expect(artifact.ensemble).toEqual({ method: meta.ensemble?.method, members: ["network"] });
    expect(Object.keys(artifact.members)).toEqual(["network"]);
    expect(artifact.members.network).toEqual({
      cv: meta.members?.network.cv,
      seconds: meta.members?.network.seconds,
    });
    expect(artifact.members.network.cv.mase).toBeTypeOf("number");
    expect(artifact.cv_origins).toBe(meta.validation.measured_on?.origins);
    expect(artifact.cv_origins).toBeGreaterThan(0);
  });

  it("answers 404 for an unknown id and 400 for an id that is not a positive integer", async () => {
    const unknown = await get("/api/models/999");
    expect(unknown.statusCode).toBe(404);
    expectErrorShape(unknown.json());
    expect(unknown.json().message).toBe("no model with id 999");
    for (const id of ["abc", "0", "-1", "1.5", "1e3"]) {
      const bad = await get(`/api/models/${id}`);
      expect(bad.statusCode, id).toBe(400);
      expectErrorShape(bad.json());
      expect(bad.json().message).toContain(`got '${id}'`);
    }
  });

  it("GET /api/health names the serving version and its registry id", async () => {
    const body = (await get("/api/health")).json();
    expect(body.models).toEqual([expect.objectContaining({ name: "global", version: "v1", id: v1.id })]);
    expect(body).not.toHaveProperty("load_failures");
    await expectServedBy("v1");
  });
});

describe("the admin token", () => {
  const stateChanges: [string, unknown][] = [
    ["/api/models/2/promote", {}],
    ["/api/models/rollback", { name: "global" }],
    ["/api/train", {}],
  ];

  it.each(stateChanges)("POST %s without the token is 401 with a Bearer challenge", async (url, body) => {
    const missing: Record<string, string>[] = [
      {},
      { authorization: "Basic dXNlcjpwYXNz" },
      { authorization: "Bearer" },
    ];
    for (const headers of missing) {
      const response = await post(url, body, headers);
      expect(response.statusCode).toBe(401);
      expect(response.headers["www-authenticate"]).toBe('Bearer realm="salescast"');
      expectErrorShape(response.json());
      expect(response.json().error).toBe("unauthorized");
    }
  });

  it.each(stateChanges)(
    "POST %s with a wrong token is 401 saying the token is invalid",
    async (url, body) => {
      for (const token of ["wrong", `${ADMIN_TOKEN}x`, ADMIN_TOKEN.slice(0, -1), ADMIN_TOKEN.toUpperCase()]) {
        const response = await post(url, body, { authorization: `Bearer ${token}` });
        expect(response.statusCode).toBe(401);
        expect(response.headers["www-authenticate"]).toBe('Bearer realm="salescast", error="invalid_token"');
        expect(response.json()).toEqual({
          error: "unauthorized",
          message: "the bearer token is not the admin token",
        });
      }
    },
  );

  it("refused requests change nothing", async () => {
    expect((await server.registry.get(v2.id)).stage).toBe("candidate");
    expect((await server.registry.get(v1.id)).stage).toBe("production");
    expect(await server.registry.activeRun("global")).toBeUndefined();
    await expectServedBy("v1");
  });

  it("read routes stay open", async () => {
    for (const url of ["/api/models", `/api/models/${v1.id}`, "/api/health", "/metrics"]) {
      expect((await get(url)).statusCode, url).toBe(200);
    }
    expect((await get("/api/train/no-such-run")).statusCode).toBe(404);
  });

  it("the scheme is case-insensitive, as HTTP says", async () => {
    const response = await post(
      "/api/models/rollback",
      { name: "series:None" },
      {
        authorization: `bearer ${ADMIN_TOKEN}`,
      },
    );
    expect(response.statusCode).toBe(404);
  });
});

describe("promotion and rollback over HTTP", () => {
  it("promoting v2 swaps it in: predictions name v2 and give what v2 gives", async () => {
    const response = await post(`/api/models/${v2.id}/promote`);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.model).toMatchObject({
      id: v2.id,
      stage: "production",
      serving: true,
      previous_production_id: v1.id,
    });
    expect(body.replaced).toMatchObject({ id: v1.id, stage: "archived", serving: false });
    expect(body.serving).toEqual({ name: "global", version: "v2", id: v2.id });
    expect(body).not.toHaveProperty("load_error");
    await expectServedBy("v2");
    expect(await servingGauge()).toEqual(new Map([['{model="global",version="v2"}', 1]]));
  });

  it("promoting the serving version again changes nothing", async () => {
    const body = (await post(`/api/models/${v2.id}/promote`)).json();
    expect(body.replaced).toBeNull();
    expect(body.serving).toEqual({ name: "global", version: "v2", id: v2.id });
    await expectServedBy("v2");
  });

  it("rolling back (the name defaults to global) swaps v1 back in", async () => {
    const response = await post("/api/models/rollback", {});
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.model).toMatchObject({ id: v1.id, stage: "production", serving: true });
    expect(body.replaced).toMatchObject({ id: v2.id, stage: "archived" });
    expect(body.serving).toEqual({ name: "global", version: "v1", id: v1.id });
    await expectServedBy("v1");
    expect(await servingGauge()).toEqual(new Map([['{model="global",version="v1"}', 1]]));
  });

  it("a rollback with nowhere to go is 409, an unknown name or id 404, all in the error shape", async () => {
    const nowhere = await post("/api/models/rollback", { name: "global" });
    expect(nowhere.statusCode).toBe(409);
    expectErrorShape(nowhere.json());
    expect(nowhere.json().message).toMatch(/no earlier production version/);
    const unknownName = await post("/api/models/rollback", { name: "series:Toys" });
    expect(unknownName.statusCode).toBe(404);
    expect(unknownName.json().message).toBe("no model named 'series:Toys' (known: global)");
    const unknownId = await post("/api/models/999/promote");
    expect(unknownId.statusCode).toBe(404);
    expectErrorShape(unknownId.json());
    const badBody = await post("/api/models/rollback", { name: "global", extra: 1 });
    expect(badBody.statusCode).toBe(400);
    expectErrorShape(badBody.json());
    await expectServedBy("v1");
  });

  it("a rollback without a body rolls back the global model", async () => {
    await post(`/api/models/${v2.id}/promote`);
    const response = await server.app.inject({ method: "POST", url: "/api/models/rollback", headers: AUTH });
    expect(response.statusCode).toBe(200);
    expect(response.json().serving).toEqual({ name: "global", version: "v1", id: v1.id });
  });

  it("a version whose file is broken is refused before the registry changes, and the serving one stays", async () => {
    const failures = async () =>
      samples((await get("/metrics")).body, "salescast_model_load_failures_total").get('{model="global"}');
    expect(await failures()).toBe(0);
    const stageBefore = (await server.registry.get(v2.id)).stage;
    appendFileSync(join(v2.folder, "model.onnx"), "x");
    const response = await post(`/api/models/${v2.id}/promote`);
    expect(response.statusCode).toBe(409);
    const body = response.json();
    expect(body.error).toBe("unloadable_model");
    expect(body.message).toMatch(
      /^cannot promote global v2 \(id \d+\): it does not load: .*model\.onnx does not match its checksum/,
    );
    // the answer names the file, not the folders it lives in
    expect(body.message).not.toContain(server.dir);
    expect((await server.registry.get(v2.id)).stage).toBe(stageBefore);
    expect((await server.registry.get(v1.id)).stage).toBe("production");
    await expectServedBy("v1");
    expect(await failures()).toBe(1);
  });
});
