import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SalesForecaster } from "../../src/forecast/index.ts";
import { type ModelVersion, Registry } from "../../src/registry/index.ts";
import { AUTH, openRegistry, type RegistryServer, startServer } from "../server/registry-server.ts";
import { salesWindow } from "../server/trained-models.ts";
import { databaseWithVersions } from "./postgres.ts";

// Two serving replicas on one PostgreSQL registry, as two machines would run them: neither can read the
// artifact folders (they are deleted once registered), so both load the model files from the database.
const WINDOW = salesWindow(3);
let a: RegistryServer;
let b: RegistryServer;
let v1: ModelVersion;
let v2: ModelVersion;
let reference: Map<number, SalesForecaster>;

beforeAll(async () => {
  const trained = await databaseWithVersions([1, 2]);
  const { overrides, trainer: first } = trained;
  [v1, v2] = trained.versions;
  reference = trained.reference;
  a = await startServer(first.dir, first.config, first.registry);
  const second = await openRegistry(overrides);
  b = await startServer(second.dir, second.config, await Registry.open(second.config.registry));
  await second.registry.close();
  a.app.followRegistry();
  b.app.followRegistry();
});

afterAll(async () => {
  for (const forecaster of reference.values()) await forecaster.close();
  await a?.close();
  await b?.close();
});

async function predict(server: RegistryServer): Promise<{ status: number; id?: number; value?: number }> {
  const response = await server.app.inject({
    method: "POST",
    url: "/api/predict",
    payload: { series: WINDOW },
  });
  if (response.statusCode !== 200) return { status: response.statusCode };
  const body = response.json();
  return { status: 200, id: body.model.id, value: body.predicted_sales };
}

describe("serving replicas on a PostgreSQL registry", () => {
  it("both serve the production version from the database's files, as it answers alone", async () => {
    const expected = (await (reference.get(v1.id) as SalesForecaster).predict(WINDOW)).predicted_sales;
    for (const server of [a, b])
      expect(await predict(server)).toEqual({ status: 200, id: v1.id, value: expected });
  });

  it("a promotion through replica A is served by replica B, with no failed request at either meanwhile", async () => {
    const failures: string[] = [];
    let stop = false;
    const hammer = async (name: string, server: RegistryServer) => {
      while (!stop) {
        const answer = await predict(server);
        if (answer.status !== 200) failures.push(`${name}: HTTP ${answer.status}`);
      }
    };
    const load = [hammer("A", a), hammer("B", b)];
    const started = performance.now();
    const promoted = await a.app.inject({
      method: "POST",
      url: `/api/models/${v2.id}/promote`,
      headers: AUTH,
    });
    expect(promoted.statusCode).toBe(200);
    const committed = performance.now();
    let servedByB: { status: number; id?: number; value?: number } = { status: 0 };
    const deadline = started + 30_000;
    while (performance.now() < deadline) {
      servedByB = await predict(b);
      if (servedByB.id === v2.id) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const servedAt = performance.now();
    stop = true;
    await Promise.all(load);
    console.log(
      `promotion through A: committed after ${(committed - started).toFixed(0)} ms (A loads and checks v2 first), ` +
        `served by B ${(servedAt - committed).toFixed(0)} ms after the commit`,
    );
    const expected = (await (reference.get(v2.id) as SalesForecaster).predict(WINDOW)).predicted_sales;
    expect(servedByB).toEqual({ status: 200, id: v2.id, value: expected });
    expect(await predict(a)).toMatchObject({ id: v2.id });
    expect(failures).toEqual([]);
  });

  it("a rollback through replica B is served by replica A", async () => {
    const rolled = await b.app.inject({
      method: "POST",
      url: "/api/models/rollback",
      headers: AUTH,
      payload: { name: "global" },
    });
    expect(rolled.statusCode).toBe(200);
    await expect.poll(async () => (await predict(a)).id, { timeout: 30_000, interval: 10 }).toBe(v1.id);
  });
});
