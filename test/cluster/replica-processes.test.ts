import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SalesForecaster } from "../../src/forecast/index.ts";
import type { ModelVersion } from "../../src/registry/index.ts";
import { CliProcess, cleanEnv } from "../server/cli-process.ts";
import { ADMIN_TOKEN } from "../server/registry-server.ts";
import { CONFIG_FILE, salesWindow } from "../server/trained-models.ts";
import { databaseWithVersions } from "./postgres.ts";

// Two `salescast serve` processes on one PostgreSQL registry, as two machines behind a load balancer would run
// them: the artifact folders are gone once registered, so both load the model files from the database, and
// a promotion through one must reach the other through LISTEN/NOTIFY while both keep answering.
const WINDOW = salesWindow(5);
const replicas: CliProcess[] = [];
const urls: string[] = [];
let v1: ModelVersion;
let v2: ModelVersion;
let reference: Map<number, SalesForecaster>;

beforeAll(async () => {
  const trained = await databaseWithVersions([3, 4]);
  const { overrides, trainer } = trained;
  [v1, v2] = trained.versions;
  reference = trained.reference;
  await trainer.registry.close();
  rmSync(trainer.dir, { recursive: true, force: true });
  for (let i = 0; i < 2; i++) {
    const replica = new CliProcess(
      ["serve", "--host", "127.0.0.1", "--port", "0", "--config", CONFIG_FILE, ...overrides],
      cleanEnv({ SALESCAST_ADMIN_TOKEN: ADMIN_TOKEN }),
    );
    replicas.push(replica);
    urls.push(await replica.listening());
  }
});

afterAll(async () => {
  for (const forecaster of reference.values()) await forecaster.close();
  for (const replica of replicas) replica.child.kill("SIGTERM");
  await Promise.all(replicas.map((r) => r.exited));
});

async function predict(base: string): Promise<{ status: number; id?: number; value?: number }> {
  const response = await fetch(`${base}/api/predict`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ series: WINDOW }),
  });
  if (response.status !== 200) return { status: response.status };
  const body = (await response.json()) as { model: { id: number }; predicted_sales: number };
  return { status: 200, id: body.model.id, value: body.predicted_sales };
}

describe("serving replicas as processes on a PostgreSQL registry", () => {
  it("a promotion through replica A is served by replica B, with no failed request at either", async () => {
    const [a, b] = urls;
    const first = (await (reference.get(v1.id) as SalesForecaster).predict(WINDOW)).predicted_sales;
    for (const base of urls) expect(await predict(base)).toEqual({ status: 200, id: v1.id, value: first });

    const failures: string[] = [];
    let answered = 0;
    let stop = false;
    const hammer = async (name: string, base: string) => {
      while (!stop) {
        const answer = await predict(base).catch((error: Error) => ({ status: 0, error: error.message }));
        answered++;
        if (answer.status !== 200) failures.push(`${name}: ${JSON.stringify(answer)}`);
      }
    };
    const load = [hammer("A", a), hammer("A", a), hammer("B", b), hammer("B", b)];
    const started = performance.now();
    const promoted = await fetch(`${a}/api/models/${v2.id}/promote`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(promoted.status).toBe(200);
    const committed = performance.now();
    let servedByB: { status: number; id?: number; value?: number } = { status: 0 };
    while (performance.now() < started + 30_000) {
      servedByB = await predict(b);
      if (servedByB.id === v2.id) break;
    }
    const servedAt = performance.now();
    // a while longer under load after the swap, then stop
    await new Promise((resolve) => setTimeout(resolve, 300));
    stop = true;
    await Promise.all(load);
    console.log(
      `promotion through replica A (a process): committed after ${(committed - started).toFixed(0)} ms, ` +
        `served by replica B ${(servedAt - committed).toFixed(0)} ms after the commit; ${answered} requests meanwhile`,
    );
    const second = (await (reference.get(v2.id) as SalesForecaster).predict(WINDOW)).predicted_sales;
    expect(servedByB).toEqual({ status: 200, id: v2.id, value: second });
    expect(await predict(a)).toEqual({ status: 200, id: v2.id, value: second });
    expect(answered).toBeGreaterThan(10);
    expect(failures).toEqual([]);
  });
});
