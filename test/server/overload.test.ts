import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Admission, type AdmissionMetrics } from "../../src/server/admission.ts";
import { buildApp, createMetrics, HttpError } from "../../src/server/index.ts";
import { samples } from "./registry-server.ts";
import { salesWindow, serveFolders, type TrainedModels, trainTestModels } from "./trained-models.ts";

/** A promise and the functions that settle it, for work whose end the test decides. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

function countingMetrics() {
  const shed: string[] = [];
  const metrics: AdmissionMetrics = { shed: (reason) => shed.push(reason) };
  return { shed, metrics };
}

describe("Admission", () => {
  it("lets max_pending requests in, refuses the next at once with a 503 and Retry-After, then lets in again", async () => {
    const { shed, metrics } = countingMetrics();
    const admission = new Admission({ maxPending: 2, timeoutMs: 10_000, metrics });
    const [a, b] = [deferred<string>(), deferred<string>()];
    const first = admission.run(() => a.promise);
    const second = admission.run(() => b.promise);
    expect(admission.pending).toBe(2);
    const refused = await admission.run(async () => "never").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(HttpError);
    expect(refused).toMatchObject({ statusCode: 503, code: "overloaded", headers: { "retry-after": "1" } });
    expect((refused as Error).message).toBe(
      "the server is at its limit of 2 pending forecasts (server.max_pending): retry shortly",
    );
    expect(shed).toEqual(["queue_full"]);
    a.resolve("a");
    expect(await first).toBe("a");
    expect(admission.pending).toBe(1);
    expect(await admission.run(async () => "c")).toBe("c");
    b.resolve("b");
    expect(await second).toBe("b");
    expect(admission.pending).toBe(0);
  });

  it("answers 503 past the deadline, and keeps the place until the work really ends", async () => {
    const { shed, metrics } = countingMetrics();
    const admission = new Admission({ maxPending: 1, timeoutMs: 30, metrics });
    const slow = deferred<string>();
    const late = await admission.run(() => slow.promise).catch((error: unknown) => error);
    expect(late).toMatchObject({ statusCode: 503, code: "timeout", headers: { "retry-after": "1" } });
    expect((late as Error).message).toBe(
      "the forecast was not ready within 30 ms (server.request_timeout_ms): retry shortly",
    );
    expect(shed).toEqual(["timeout"]);
    // the model call still runs: the queue is still full
    expect(admission.pending).toBe(1);
    slow.resolve("done");
    await new Promise((resolve) => setImmediate(resolve));
    expect(admission.pending).toBe(0);
  });

  it("passes the work's own failure through", async () => {
    const admission = new Admission({ maxPending: 1, timeoutMs: 1000 });
    await expect(admission.run(() => Promise.reject(new Error("model failed")))).rejects.toThrow(
      "model failed",
    );
    expect(admission.pending).toBe(0);
  });
});

describe("POST /api/predict under a burst", () => {
  let trained: TrainedModels;
  beforeAll(async () => {
    trained = await trainTestModels();
  });
  afterAll(() => trained.remove());

  it("sheds past server.max_pending with 503 + Retry-After, counts it, and serves normally right after", async () => {
    const models = await serveFolders([trained.global]);
    const metrics = createMetrics();
    const config = { ...trained.config, server: { ...trained.config.server, max_pending: 4 } };
    const app = await buildApp({ config, models, metrics });
    try {
      const burst = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          app.inject({ method: "POST", url: "/api/predict", payload: { series: salesWindow(i) } }),
        ),
      );
      const statuses = burst.map((response) => response.statusCode);
      const shed = burst.filter((response) => response.statusCode === 503);
      expect(statuses.filter((status) => status !== 200 && status !== 503)).toEqual([]);
      expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(4);
      expect(shed.length).toBeGreaterThan(0);
      for (const response of shed) {
        expect(response.headers["retry-after"]).toBe("1");
        expect(response.json().error).toBe("overloaded");
      }
      const text = await metrics.registry.metrics();
      expect(samples(text, "salescast_shed_requests_total").get('{reason="queue_full"}')).toBe(shed.length);
      expect(samples(text, "salescast_pending_forecasts").get("")).toBe(0);
      const after = await app.inject({
        method: "POST",
        url: "/api/predict",
        payload: { series: salesWindow(1) },
      });
      expect(after.statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe("Node's own server timeouts", () => {
  it("are set from the server section", async () => {
    const trained = await trainTestModels();
    try {
      const models = await serveFolders([trained.global]);
      const server = {
        ...trained.config.server,
        headers_timeout_ms: 7000,
        keep_alive_timeout_ms: 3000,
        receive_timeout_ms: 20000,
      };
      const app = await buildApp({ config: { ...trained.config, server }, models });
      try {
        expect(app.server.headersTimeout).toBe(7000);
        expect(app.server.keepAliveTimeout).toBe(3000);
        expect(app.server.requestTimeout).toBe(20000);
      } finally {
        await app.close();
      }
    } finally {
      trained.remove();
    }
  });
});
