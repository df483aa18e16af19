import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireTool, runTool } from "./debian-tools.ts";
import { waitFor } from "./processes.ts";
import { type PrometheusProcess, startPrometheus } from "./prometheus-process.ts";
import { type SalescastProcess, startSalescast } from "./salescast-process.ts";

const PREDICTIONS_QUERY = "sum(salescast_predictions_total)";

let server: SalescastProcess;

beforeAll(async () => {
  server = await startSalescast();
});

afterAll(async () => {
  await server?.stop();
});

/** The input length the serving model expects, from /api/health. */
async function windowSize(): Promise<number> {
  const health = (await (await fetch(`${server.url}/api/health`)).json()) as {
    models: { window_size: number }[];
  };
  if (health.models.length === 0) throw new Error(`the server serves no model:\n${server.output()}`);
  return health.models[0].window_size;
}

/** Makes `count` single predictions, `concurrency` at a time (so the micro-batcher gathers some). */
async function predict(count: number, concurrency = 8): Promise<void> {
  const size = await windowSize();
  for (let done = 0; done < count; done += concurrency) {
    const wave = Array.from({ length: Math.min(concurrency, count - done) }, async (_, k) => {
      const series = Array.from({ length: size }, (_, i) => 100 + ((done + k + i) % 7) * 10);
      const response = await fetch(`${server.url}/api/predict`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ series }),
      });
      expect(response.status, await response.text()).toBe(200);
    });
    await Promise.all(wave);
  }
}

async function scrapeMetrics(): Promise<string> {
  const response = await fetch(`${server.url}/metrics`);
  expect(response.status, "GET /metrics: is registerMetrics wired into buildApp (src/server/app.ts)?").toBe(
    200,
  );
  return response.text();
}

/** The query's single value, or 0 while the series does not exist yet (no prediction scraped). */
async function queryTotal(prometheus: PrometheusProcess, expr: string): Promise<number> {
  const result = await prometheus.query(expr);
  if (result.length > 1) throw new Error(`${expr} returned ${result.length} series`);
  return result.length === 0 ? 0 : Number(result[0].value[1]);
}

describe("a running salescast server", () => {
  it("serves /metrics that pass promtool check metrics", async () => {
    const promtool = requireTool("promtool", "prometheus");
    await predict(5);
    const text = await scrapeMetrics();

    expect(text, "the server counts its predictions").toMatch(/^salescast_predictions_total\{.+\} 5$/m);
    expect(text).toMatch(/^salescast_serving_model_info\{.+\} 1$/m);
    expect(text).toMatch(
      /^salescast_http_requests_total\{method="POST",route="\/api\/predict",status_code="200"\} 5$/m,
    );
    const check = runTool(promtool, ["check", "metrics"], text);
    expect(check.status, check.output).toBe(0);
    console.log(
      "/metrics excerpt:\n" +
        text
          .split("\n")
          .filter((line) => /^salescast_(?!http_request_duration_seconds_bucket)/.test(line))
          .join("\n"),
    );
  });

  it("is scraped by a real Prometheus, whose counter rises by exactly the predictions made", async () => {
    const prometheus = await startPrometheus(requireTool("prometheus", "prometheus"), server.port);
    try {
      await waitFor(
        "Prometheus to scrape salescast",
        async () => ((await queryTotal(prometheus, 'up{job="salescast"}')) === 1 ? true : undefined),
        { timeoutMs: 30_000 },
      );
      const before = await queryTotal(prometheus, PREDICTIONS_QUERY);
      const made = 40;
      await predict(made);

      const after = await waitFor(
        `${PREDICTIONS_QUERY} to reach ${before + made}`,
        async () => {
          const value = await queryTotal(prometheus, PREDICTIONS_QUERY);
          return value >= before + made ? value : undefined;
        },
        { timeoutMs: 30_000 },
      );
      const result = await prometheus.query(PREDICTIONS_QUERY);
      console.log(
        `Prometheus ${prometheus.url}/api/v1/query?query=${PREDICTIONS_QUERY}: ${before} before, ` +
          `${after} after ${made} predictions; result ${JSON.stringify(result)}`,
      );
      expect(after - before).toBe(made);
    } catch (error) {
      throw new Error(`${(error as Error).message}\nprometheus output:\n${prometheus.output()}`);
    } finally {
      await prometheus.stop();
    }
  });
});
