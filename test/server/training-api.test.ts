import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelVersion } from "../../src/registry/index.ts";
import type { RunView } from "../../src/server/index.ts";
import {
  ADMIN_TOKEN,
  AUTH,
  eventually,
  loadVersion,
  openRegistry,
  type RegistryServer,
  samples,
  startServer,
  trainVersions,
} from "./registry-server.ts";
import { salesWindow } from "./trained-models.ts";

// Training runs over HTTP, each in a worker thread, against a registry whose policy promotes every new
// version, so a successful run swaps its model in.

let server: RegistryServer;
let v1: ModelVersion;

beforeAll(async () => {
  const { dir, config, registry } = await openRegistry(["registry.promotion=always"]);
  [v1] = await trainVersions(config, registry, [1]);
  server = await startServer(dir, config, registry);
});

afterAll(async () => {
  await server?.close();
});

const get = (url: string) => server.app.inject({ method: "GET", url });
const startRun = (body: unknown, headers: Record<string, string> = AUTH) =>
  server.app.inject({ method: "POST", url: "/api/train", payload: body as object, headers });

function expectErrorShape(body: Record<string, unknown>) {
  expect(Object.keys(body).filter((key) => !["error", "message", "details"].includes(key))).toEqual([]);
  expect(typeof body.error).toBe("string");
  expect(typeof body.message).toBe("string");
}

/** Polls the run until the server has handled its end (hot_swap is set), keeping every state seen. */
async function followRun(runId: string, seen: RunView[] = []): Promise<RunView> {
  return eventually(`run ${runId} to end`, async () => {
    const response = await get(`/api/train/${runId}`);
    expect(response.statusCode).toBe(200);
    const run = response.json() as RunView;
    seen.push(run);
    return run.hot_swap === undefined ? undefined : run;
  });
}

async function trainingRuns(): Promise<Map<string, number>> {
  return samples((await get("/metrics")).body, "salescast_training_runs_total");
}

describe("POST /api/train", () => {
  it("runs off the request thread, shows its progress, and swaps in the version it promoted", async () => {
    const started = await startRun({ overrides: ["train.max_epochs=6", "train.patience=6"] });
    expect(started.statusCode).toBe(202);
    const { run_id: runId, scope, status } = started.json();
    expect(scope).toBe("global");
    expect(status).toBe("queued");
    expect(started.headers.location).toBe(`/api/train/${runId}`);

    // one run at a time per scope
    const second = await startRun({});
    expect(second.statusCode).toBe(409);
    expectErrorShape(second.json());
    expect(second.json()).toMatchObject({ error: "run_in_progress" });
    expect(second.json().message).toContain(runId);

    // the server answers forecasts, with the serving version, while the worker trains
    const seen: RunView[] = [];
    const answers: string[] = [];
    const window = salesWindow(5);
    const run = await eventually(
      "the run to end",
      async () => {
        const predicted = await server.app.inject({
          method: "POST",
          url: "/api/predict",
          payload: { series: window },
        });
        expect(predicted.statusCode).toBe(200);
        answers.push(predicted.json().model.version);
        const state = (await get(`/api/train/${runId}`)).json() as RunView;
        seen.push(state);
        return state.hot_swap === undefined ? undefined : state;
      },
      120_000,
      5,
    );

    const running = seen.filter((state) => state.status === "running" && state.progress !== null);
    expect(running.length, "progress seen while the run was running").toBeGreaterThan(0);
    expect(running[0].progress).toMatchObject({ model: "global network", max_epochs: 6 });
    expect(answers[0]).toBe("v1");

    expect(run).toMatchObject({ id: runId, scope: "global", status: "succeeded", error: null });
    expect(run.started_at).not.toBeNull();
    expect(run.ended_at).not.toBeNull();
    expect(run.model_ids).toHaveLength(1);
    const newId = run.model_ids[0];
    const v2 = await server.registry.get(newId);
    expect(v2).toMatchObject({ name: "global", version: 2, stage: "production" });
    expect(run.progress).toMatchObject({
      model: "global network",
      max_epochs: 6,
      epoch: expect.any(Number),
    });
    expect(run.progress?.epoch).toBeGreaterThanOrEqual(1);
    expect(run.progress?.epoch).toBeLessThanOrEqual(6);
    // the override reached the trainer
    expect((v2.config.train as { max_epochs: number }).max_epochs).toBe(6);
    expect(run.hot_swap).toEqual({ loaded: [{ name: "global", version: "v2", id: newId }], failed: [] });

    // predictions now come from the new version, exactly as it answers alone
    const reference = await loadVersion(v2, server.config);
    try {
      const predicted = await server.app.inject({
        method: "POST",
        url: "/api/predict",
        payload: { series: window },
      });
      expect(predicted.json().model).toMatchObject({ version: "v2", id: newId });
      expect(predicted.json().predicted_sales).toBe((await reference.predict(window)).predicted_sales);
    } finally {
      await reference.close();
    }
    expect((await server.registry.get(v1.id)).stage).toBe("archived");

    // counted once, with its duration
    const metrics = (await get("/metrics")).body;
    expect(samples(metrics, "salescast_training_runs_total").get('{outcome="succeeded"}')).toBe(1);
    expect(
      samples(metrics, "salescast_training_run_duration_seconds_count").get('{outcome="succeeded"}'),
    ).toBe(1);
    expect(samples(metrics, "salescast_serving_model_info")).toEqual(
      new Map([['{model="global",version="v2"}', 1]]),
    );

    // a run over HTTP does not save the admin token in the artifact it writes
    expect(readFileSync(join(v2.folder, "meta.json"), "utf8")).not.toContain(ADMIN_TOKEN);
  });

  it("runs a per-series run beside a global one, each scope one at a time", async () => {
    const global = await startRun({ overrides: ["train.max_epochs=3", "train.patience=3"] });
    const perSeries = await startRun({ series: ["Beauty"], overrides: ["train.scope=per_series"] });
    expect(global.statusCode).toBe(202);
    expect(perSeries.statusCode).toBe(202);
    expect(perSeries.json().scope).toBe("per_series");
    const again = await startRun({ series: ["Clothing"], overrides: ["train.scope=per_series"] });
    expect(again.statusCode).toBe(409);

    const [globalRun, seriesRun] = await Promise.all([
      followRun(global.json().run_id),
      followRun(perSeries.json().run_id),
    ]);
    expect(globalRun.status).toBe("succeeded");
    expect(seriesRun.status).toBe("succeeded");
    // a per-series run is one work unit here, done
    expect(seriesRun.progress?.units).toEqual({ done: 1, total: 1 });
    const beauty = await server.registry.get(seriesRun.model_ids[0]);
    expect(beauty).toMatchObject({ name: "series:Beauty", version: 1, stage: "production" });
    const health = (await get("/api/health")).json();
    expect(
      health.models.map((m: { name: string; version: string }) => `${m.name} ${m.version}`).sort(),
    ).toEqual(["global v3", "series:Beauty v1"]);
  });

  it("reports a run that fails at run time, with its error, and keeps the serving model", async () => {
    const before = await trainingRuns();
    const serving = (await get("/api/health")).json().models;
    const started = await startRun({ series: ["NoSuchSeries"] });
    expect(started.statusCode).toBe(202);
    const run = await followRun(started.json().run_id);
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(
      /^train\.series names unknown series "NoSuchSeries" \(known: Beauty, Clothing, Electronics\)/,
    );
    expect(run.model_ids).toEqual([]);
    expect(run.ended_at).not.toBeNull();
    expect(run.hot_swap).toEqual({ loaded: [], failed: [] });
    expect((await get("/api/health")).json().models).toEqual(serving);
    const after = await trainingRuns();
    expect(after.get('{outcome="failed"}')).toBe((before.get('{outcome="failed"}') ?? 0) + 1);
    expect(after.get('{outcome="succeeded"}')).toBe(before.get('{outcome="succeeded"}'));
  });

  it.each([
    ["paths.artifacts=/tmp/elsewhere", 400, "forbidden_override", "'paths.artifacts'"],
    ["registry.path=/tmp/other.db", 400, "forbidden_override", "'registry.path'"],
    ["registry.promotion=always", 400, "forbidden_override", "'registry.promotion'"],
    ["server.admin_token=x", 400, "forbidden_override", "'server.admin_token'"],
    ['queue.url="redis://elsewhere:6379"', 400, "forbidden_override", "'queue.url'"],
    ["data.csv_path=/etc/passwd", 400, "forbidden_override", "'data.csv_path'"],
    ["data={csv_path: /etc/passwd}", 400, "forbidden_override", "'data'"],
    ["train.max_epochs=0", 422, "invalid_override", "train.max_epochs"],
    ["train.max_epochs=many", 422, "invalid_override", "train.max_epochs"],
    ["train.scope=everything", 422, "invalid_override", "train.scope"],
    ["train.no_such_key=1", 422, "invalid_override", "'train.no_such_key'"],
    ["__proto__.polluted=1", 422, "invalid_override", "'__proto__.polluted'"],
    ["constructor.prototype.polluted=1", 422, "invalid_override", "'constructor.prototype.polluted'"],
    ["train.max_epochs", 422, "invalid_override", "'train.max_epochs'"],
  ])("refuses the override %s before queuing a run (%i)", async (override, status, code, named) => {
    const response = await startRun({ overrides: [override] });
    expect(response.statusCode).toBe(status);
    expectErrorShape(response.json());
    expect(response.json().error).toBe(code);
    expect(response.json().message).toContain(named);
    expect(await server.registry.activeRun("global")).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses a body that does not match the schema", async () => {
    for (const body of [
      { overrides: "train.max_epochs=2" },
      { series: [1] },
      { epochs: 3 },
      { series: [""] },
    ]) {
      const response = await startRun(body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expectErrorShape(response.json());
    }
    expect(await server.registry.activeRun("global")).toBeUndefined();
  });

  it("answers 404 for an unknown run", async () => {
    const response = await get("/api/train/00000000-0000-0000-0000-000000000000");
    expect(response.statusCode).toBe(404);
    expectErrorShape(response.json());
  });
});

describe("closing the server during a run", () => {
  it("stops the worker and records the run as interrupted", async () => {
    const { dir, config, registry } = await openRegistry([
      "registry.promotion=always",
      "train.limits.max_epochs=100000",
    ]);
    const other = await startServer(dir, config, registry);
    let closed = false;
    try {
      const started = await other.app.inject({
        method: "POST",
        url: "/api/train",
        headers: AUTH,
        payload: { overrides: ["train.max_epochs=100000", "train.patience=100000"] },
      });
      expect(started.statusCode).toBe(202);
      const runId = started.json().run_id;
      await eventually("the run to report an epoch", async () => {
        const run = (await other.app.inject({ method: "GET", url: `/api/train/${runId}` })).json() as RunView;
        return run.progress === null ? undefined : run;
      });
      await other.app.close();
      closed = true;
      const run = await registry.getRun(runId);
      expect(run.status).toBe("failed");
      expect(run.error).toBe("interrupted: the server stopped before the run finished");
      expect(run.model_ids).toEqual([]);
      expect(await registry.activeRun("global")).toBeUndefined();
      const metrics = await other.metrics.registry.metrics();
      expect(samples(metrics, "salescast_training_runs_total")).toEqual(
        new Map([
          ['{outcome="succeeded"}', 0],
          ['{outcome="failed"}', 1],
        ]),
      );
    } finally {
      if (!closed) await other.app.close();
      await other.close();
    }
  });
});
