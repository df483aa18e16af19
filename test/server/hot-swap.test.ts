import { Agent, request } from "node:http";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { SalesForecaster } from "../../src/forecast/index.ts";
import type { ModelVersion } from "../../src/registry/index.ts";
import {
  AUTH,
  loadVersion,
  openRegistry,
  type RegistryServer,
  samples,
  startServer,
  trainVersions,
} from "./registry-server.ts";
import { salesWindow } from "./trained-models.ts";

// The hot-swap test: a real server on loopback answers a stream of concurrent predictions while
// promotions over HTTP alternate between two versions with different weights. No request may fail, and
// each answer must name a version and give exactly what that version gives alone for the same input.

const LOOPS = 20;
const PROMOTIONS = 12;
// Answers to wait for after each promotion: at most LOOPS were in flight when it answered, so at least LOOPS
// of them were asked of the version it put in place. Counts, not a clock, so a slow machine only takes longer.
const ANSWERS_PER_PROMOTION = 2 * LOOPS;
const WINDOWS = Array.from({ length: 16 }, (_, i) => salesWindow(i + 1));

let server: RegistryServer;
let port: number;
const versions: Record<string, ModelVersion> = {};
/** What each version answers alone for each window: label → window index → predicted_sales. */
const expected = new Map<string, number[]>();
const agent = new Agent({ keepAlive: true, maxSockets: LOOPS + 1 });

beforeAll(async () => {
  const { dir, config, registry } = await openRegistry(["registry.promotion=manual"]);
  const [v1, v2] = await trainVersions(config, registry, [11, 12]);
  versions.v1 = v1;
  versions.v2 = v2;
  await registry.promote(v1.id);
  server = await startServer(dir, config, registry);
  await server.app.listen({ host: "127.0.0.1", port: 0 });
  port = (server.app.server.address() as { port: number }).port;
  for (const [label, model] of Object.entries(versions)) {
    const alone: SalesForecaster = await loadVersion(model, config);
    try {
      const answers: number[] = [];
      for (const window of WINDOWS) answers.push((await alone.predict(window)).predicted_sales);
      expected.set(label, answers);
    } finally {
      await alone.close();
    }
  }
});

afterAll(async () => {
  agent.destroy();
  await server?.close();
});

interface Answer {
  status: number;
  body: string;
}

function send(
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method,
        path,
        agent,
        headers: { "content-type": "application/json", ...headers },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

interface Prediction {
  window: number;
  version: string;
  id: number;
  predicted: number;
}

it("swaps versions under a stream of concurrent predictions without failing one, each answer true to its version", async () => {
  // the two versions must disagree on every window, or an answer could not tell which one made it
  const [one, two] = [expected.get("v1") as number[], expected.get("v2") as number[]];
  for (const [i, value] of one.entries()) expect(value, `window ${i}`).not.toBe(two[i]);

  const predictions: Prediction[] = [];
  const failures: string[] = [];
  let promoting = true;

  const predictLoop = async (loop: number) => {
    for (let k = 0; promoting; k++) {
      const window = (loop + k) % WINDOWS.length;
      try {
        const answer = await send("POST", "/api/predict", { series: WINDOWS[window] });
        if (answer.status !== 200) {
          failures.push(`${answer.status} ${answer.body}`);
          continue;
        }
        const body = JSON.parse(answer.body);
        predictions.push({
          window,
          version: body.model.version,
          id: body.model.id,
          predicted: body.predicted_sales,
        });
      } catch (error) {
        failures.push(`request error: ${(error as Error).message}`);
      }
    }
  };

  const answered = async (count: number) => {
    while (predictions.length + failures.length < count) await new Promise((done) => setTimeout(done, 1));
  };
  const promotions: string[] = [];
  const promoteLoop = async () => {
    try {
      for (let k = 0; k < PROMOTIONS; k++) {
        const label = k % 2 === 0 ? "v2" : "v1";
        const answer = await send("POST", `/api/models/${versions[label].id}/promote`, {}, AUTH);
        expect(answer.status, answer.body).toBe(200);
        // once the promotion answers, the new version serves
        expect(JSON.parse(answer.body).serving).toEqual({
          name: "global",
          version: label,
          id: versions[label].id,
        });
        promotions.push(label);
        await answered(predictions.length + failures.length + ANSWERS_PER_PROMOTION);
      }
    } finally {
      promoting = false;
    }
  };

  await Promise.all([promoteLoop(), ...Array.from({ length: LOOPS }, (_, loop) => predictLoop(loop))]);

  expect(failures).toEqual([]);
  expect(promotions.length, "promotions made").toBe(PROMOTIONS);
  const byVersion = new Map<string, number>();
  for (const prediction of predictions) {
    expect(["v1", "v2"]).toContain(prediction.version);
    expect(prediction.id).toBe(versions[prediction.version].id);
    expect(prediction.predicted).toBe(expected.get(prediction.version)?.[prediction.window]);
    byVersion.set(prediction.version, (byVersion.get(prediction.version) ?? 0) + 1);
  }
  // after every promotion, at least LOOPS answers came from the version it put in place
  expect(byVersion.get("v1") ?? 0).toBeGreaterThanOrEqual((PROMOTIONS / 2) * LOOPS);
  expect(byVersion.get("v2") ?? 0).toBeGreaterThanOrEqual((PROMOTIONS / 2) * LOOPS);

  // every answer was counted under the version that made it
  const counted = samples((await send("GET", "/metrics", undefined)).body, "salescast_predictions_total");
  expect(counted.get('{model="global",version="v1"}')).toBe(byVersion.get("v1"));
  expect(counted.get('{model="global",version="v2"}')).toBe(byVersion.get("v2"));
  console.log(
    `hot swap: ${predictions.length} predictions from ${LOOPS} loops, ` +
      `${promotions.length} promotions, v1 answered ${byVersion.get("v1")}, v2 ${byVersion.get("v2")}, 0 failed`,
  );
});
