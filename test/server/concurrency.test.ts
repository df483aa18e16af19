import { Agent, request } from "node:http";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import type { ForecastResult, SalesForecaster } from "../../src/forecast/index.ts";
import { buildApp, type SalescastApp, type ServingModels } from "../../src/server/index.ts";
import {
  loadForecaster,
  salesWindow,
  serveFolders,
  type TrainedModels,
  trainTestModels,
} from "./trained-models.ts";

const CONNECTIONS = 48;
const ROUNDS = 4;

let trained: TrainedModels;
let models: ServingModels;
let app: SalescastApp;
let port: number;
const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
const reference = new Map<string, SalesForecaster>();

beforeAll(async () => {
  trained = await trainTestModels();
  models = await serveFolders([trained.global, trained.beauty]);
  app = await buildApp({ config: trained.config, models });
  await app.listen({ host: "127.0.0.1", port: 0 });
  port = (app.server.address() as { port: number }).port;
  reference.set("global", await loadForecaster(trained.global));
  reference.set("series:Beauty", await loadForecaster(trained.beauty));
});

afterAll(async () => {
  agent.destroy();
  await app.close();
  for (const forecaster of reference.values()) await forecaster.close();
  trained.remove();
});

type Answer = ForecastResult & { model: { name: string; series_id?: string } };

function send(method: string, path: string, body?: unknown): Promise<{ status: number; body: Answer }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = payload === undefined ? {} : { "content-type": "application/json" };
    const req = request({ host: "127.0.0.1", port, method, path, agent, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on("error", reject);
    req.end(payload);
  });
}

const SERIES = [undefined, "Beauty", "Clothing", "Electronics"];
const predictPath = (seriesId?: string) =>
  seriesId === undefined ? "/api/predict" : `/api/predict/${seriesId}`;

it("answers many concurrent requests for different series, batched, each as if it had come alone", async () => {
  // Open every keep-alive connection first, so each round's requests leave in one turn of the event loop.
  await Promise.all(Array.from({ length: CONNECTIONS }, () => send("GET", "/api/health")));
  const batchSizes: number[] = [];
  for (const model of models.list()) {
    const predictMany = model.forecaster.predictMany.bind(model.forecaster);
    vi.spyOn(model.forecaster, "predictMany").mockImplementation((batch) => {
      batchSizes.push(batch.length);
      return predictMany(batch);
    });
  }
  const requests = Array.from({ length: CONNECTIONS * ROUNDS }, (_, i) => ({
    seriesId: SERIES[i % SERIES.length],
    values: salesWindow(i),
  }));
  const answers: Answer[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const sent = requests
      .slice(round * CONNECTIONS, (round + 1) * CONNECTIONS)
      .map(({ seriesId, values }) => send("POST", predictPath(seriesId), { series: values }));
    for (const { status, body } of await Promise.all(sent)) {
      expect(status).toBe(200);
      answers.push(body);
    }
  }

  expect(batchSizes.reduce((sum, size) => sum + size, 0)).toBe(requests.length);
  // Here each round goes out as one batch per model; allow some slack for a busy machine.
  expect(batchSizes.length).toBeLessThan(requests.length / 4);
  for (const [i, { seriesId, values }] of requests.entries()) {
    const answer = answers[i];
    expect(answer.model.series_id).toBe(seriesId);
    const forecaster = reference.get(answer.model.name) as SalesForecaster;
    const [alone] = await forecaster.predictMany([{ values, seriesId }]);
    // Batched and single runs may differ in the last float32 bits, never by as much as two windows do.
    expect(Math.abs(answer.predicted_sales - alone.predicted_sales)).toBeLessThanOrEqual(
      1e-5 * Math.abs(alone.predicted_sales),
    );
  }
  expect(new Set(answers.map((answer) => answer.predicted_sales)).size).toBe(requests.length);
});
