import { readFileSync } from "node:fs";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { createWorkerMetrics } from "../../src/queue/worker-metrics.ts";
import { createMetrics, registerMetrics, type SalescastMetrics } from "../../src/server/metrics.ts";

const DASHBOARD = "deploy/grafana/dashboards/salescast.json";
const CLUSTER_DASHBOARD = "deploy/grafana/dashboards/salescast-cluster.json";
const CLUSTER_PROMETHEUS = "deploy/cluster/prometheus.yml";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the sample lines of the Prometheus text format (label values here never hold quotes or commas). */
function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of match[2]?.split(",") ?? []) {
      const [key, quoted] = pair.split("=");
      labels[key] = JSON.parse(quoted);
    }
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the one sample with this name whose labels include `labels`; 0 when there is none yet. */
function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number {
  const found = parseSamples(text).filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value ?? 0;
}

/** Metric families declared in the exposition (`# TYPE name kind`), whether or not they have samples yet. */
function declaredFamilies(text: string): Set<string> {
  return new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
}

const PROMQL_WORDS = new Set([
  ...["by", "without", "on", "ignoring", "group_left", "group_right"],
  ...["and", "or", "unless", "bool", "offset"],
]);

/** Metric names a PromQL expression selects, with histogram and summary suffixes stripped to the family name. */
function metricFamiliesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, "") // strings (label values, quantile arguments of label_replace...)
    .replace(/\{[^}]*\}/g, "") // label matchers
    .replace(/\[[^\]]*\]/g, "") // range selectors, including Grafana's $__rate_interval
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ""); // label lists
  return [...bare.matchAll(/(?<![\w$:])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)]
    .filter(([, name, call]) => call === undefined && !PROMQL_WORDS.has(name)) // a name before "(" is a function
    .map(([, name]) => name)
    .map((name) => name.replace(/_(?:bucket|sum|count)$/, ""));
}

interface DashboardPanel {
  title: string;
  datasource?: { uid: string };
  targets?: { expr: string; datasource?: { uid: string } }[];
}

function dashboardPanels(file: string): DashboardPanel[] {
  return (JSON.parse(readFileSync(file, "utf8")) as { panels: DashboardPanel[] }).panels;
}

function dashboardExpressions(file = DASHBOARD): string[] {
  return dashboardPanels(file).flatMap((panel) => {
    if (!panel.targets?.length) throw new Error(`panel "${panel.title}" has no query`);
    return panel.targets.map((t) => t.expr);
  });
}

describe("metrics", () => {
  let app: FastifyInstance;
  let metrics: SalescastMetrics;

  async function buildApp(): Promise<void> {
    metrics = createMetrics();
    app = Fastify();
    registerMetrics(app, metrics);
    app.get("/api/items/:id", async () => ({ ok: true }));
    app.post("/api/broken", async () => {
      throw new Error("boom");
    });
    app.get("/api/slow", () => new Promise((resolve) => setTimeout(() => resolve("done"), 30)));
    await app.ready();
  }

  async function scrape(): Promise<string> {
    const response = await app.inject({ method: "GET", url: "/metrics" });
    expect(response.statusCode).toBe(200);
    return response.body;
  }

  afterEach(async () => {
    await app?.close();
  });

  it("serves the Prometheus text format with its content type", async () => {
    await buildApp();
    const response = await app.inject({ method: "GET", url: "/metrics" });
    expect(response.headers["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(response.body).toContain("# TYPE salescast_http_requests_total counter");
  });

  it("counts requests by route pattern and status, exactly once each", async () => {
    await buildApp();
    const route = { method: "GET", route: "/api/items/:id", status_code: "200" };
    const before = await scrape();
    for (const id of [1, 2, 3, 4, 5]) await app.inject({ method: "GET", url: `/api/items/${id}` });
    await app.inject({ method: "POST", url: "/api/broken" });
    const after = await scrape();

    expect(sampleValue(after, "salescast_http_requests_total", route)).toBe(
      sampleValue(before, "salescast_http_requests_total", route) + 5,
    );
    expect(
      sampleValue(after, "salescast_http_requests_total", {
        method: "POST",
        route: "/api/broken",
        status_code: "500",
      }),
    ).toBe(1);
    // One series per route pattern, not per id.
    expect(after).not.toContain('route="/api/items/1"');
  });

  it("observes request durations in a histogram by route pattern", async () => {
    await buildApp();
    for (const id of [1, 2, 3]) await app.inject({ method: "GET", url: `/api/items/${id}` });
    const text = await scrape();
    const labels = { method: "GET", route: "/api/items/:id" };

    expect(text).toContain("# TYPE salescast_http_request_duration_seconds histogram");
    expect(sampleValue(text, "salescast_http_request_duration_seconds_count", labels)).toBe(3);
    expect(
      sampleValue(text, "salescast_http_request_duration_seconds_bucket", { ...labels, le: "+Inf" }),
    ).toBe(3);
    const bounds = parseSamples(text)
      .filter(
        (s) => s.name === "salescast_http_request_duration_seconds_bucket" && s.labels.route === labels.route,
      )
      .map((s) => s.labels.le);
    expect(bounds).toEqual([
      ...["0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1"],
      ...["0.25", "0.5", "1", "+Inf"],
    ]);
  });

  it("measures durations in seconds", async () => {
    await buildApp();
    await app.inject({ method: "GET", url: "/api/slow" });
    const seconds = sampleValue(await scrape(), "salescast_http_request_duration_seconds_sum", {
      route: "/api/slow",
    });
    expect(seconds).toBeGreaterThanOrEqual(0.029); // the route waits 30 ms (timers may fire 1 ms early)
    expect(seconds).toBeLessThan(1);
  });

  it("labels requests that match no route as unmatched, whatever their path", async () => {
    await buildApp();
    await app.inject({ method: "GET", url: "/no/such/page" });
    await app.inject({ method: "GET", url: "/wp-admin.php?x=1" });
    const text = await scrape();

    expect(
      sampleValue(text, "salescast_http_requests_total", {
        method: "GET",
        route: "unmatched",
        status_code: "404",
      }),
    ).toBe(2);
    expect(text).not.toContain("/no/such/page");
    expect(text).not.toContain("wp-admin");
  });

  it("includes the default process metrics", async () => {
    await buildApp();
    const families = declaredFamilies(await scrape());
    for (const name of [
      "process_cpu_user_seconds_total",
      "process_resident_memory_bytes",
      "nodejs_heap_size_used_bytes",
      "nodejs_eventloop_lag_p99_seconds",
      "nodejs_active_handles",
    ]) {
      expect(families, name).toContain(name);
    }
  });

  it("names counters, and only counters, with _total, as promtool's lint requires", async () => {
    await buildApp();
    const kinds = [...(await scrape()).matchAll(/^# TYPE (\S+) (\S+)$/gm)];
    expect(kinds.length).toBeGreaterThan(20);
    const misnamed = kinds
      .filter(([, name, kind]) => name.endsWith("_total") !== (kind === "counter"))
      .map(([, name, kind]) => `${name} (${kind})`);
    expect(misnamed).toEqual([]);
  });

  it("records predictions, micro-batch sizes, load failures and training runs", async () => {
    await buildApp();
    metrics.predictions.inc({ model: "global", version: 3 }, 7);
    metrics.predictions.inc({ model: "global", version: 3 });
    metrics.microBatchSize.observe(5);
    metrics.microBatchSize.observe(64);
    metrics.modelLoadFailures.inc({ model: "Beauty" });
    metrics.recordTrainingRun("succeeded", 12.5);
    metrics.recordTrainingRun("failed", 0.5);
    metrics.recordTrainingRun("succeeded", 40);
    const text = await scrape();

    expect(sampleValue(text, "salescast_predictions_total", { model: "global", version: "3" })).toBe(8);
    expect(sampleValue(text, "salescast_micro_batch_size_bucket", { le: "4" })).toBe(0);
    expect(sampleValue(text, "salescast_micro_batch_size_bucket", { le: "8" })).toBe(1);
    expect(sampleValue(text, "salescast_micro_batch_size_bucket", { le: "64" })).toBe(2);
    expect(sampleValue(text, "salescast_micro_batch_size_sum")).toBe(69);
    expect(sampleValue(text, "salescast_model_load_failures_total", { model: "Beauty" })).toBe(1);
    expect(sampleValue(text, "salescast_training_runs_total", { outcome: "succeeded" })).toBe(2);
    expect(sampleValue(text, "salescast_training_runs_total", { outcome: "failed" })).toBe(1);
    expect(sampleValue(text, "salescast_training_run_duration_seconds_sum", { outcome: "succeeded" })).toBe(
      52.5,
    );
    expect(sampleValue(text, "salescast_training_run_duration_seconds_count", { outcome: "failed" })).toBe(1);
  });

  it("shows exactly the serving models of the last setServingModels call", async () => {
    await buildApp();
    metrics.setServingModels([
      { name: "global", version: 1 },
      { name: "Beauty", version: 4 },
    ]);
    metrics.setServingModels([{ name: "global", version: 2 }]);
    const serving = parseSamples(await scrape()).filter((s) => s.name === "salescast_serving_model_info");

    expect(serving).toEqual([
      { name: "salescast_serving_model_info", labels: { model: "global", version: "2" }, value: 1 },
    ]);
  });

  it("keeps each app's counts apart", async () => {
    await buildApp();
    metrics.predictions.inc({ model: "global", version: 1 }, 5);
    const other = createMetrics();
    other.predictions.inc({ model: "global", version: 1 }, 2);

    expect(sampleValue(await scrape(), "salescast_predictions_total")).toBe(5);
    expect(sampleValue(await other.registry.metrics(), "salescast_predictions_total")).toBe(2);
  });
});

describe("Grafana dashboard", () => {
  it("queries only metrics that /metrics declares, and shows every salescast metric", async () => {
    const app = Fastify();
    registerMetrics(app, createMetrics());
    const families = declaredFamilies((await app.inject({ method: "GET", url: "/metrics" })).body);
    await app.close();
    const queried = new Set(dashboardExpressions().flatMap(metricFamiliesIn));

    expect([...queried].filter((name) => !families.has(name))).toEqual([]);
    const salescastFamilies = [...families].filter((name) => name.startsWith("salescast_"));
    expect(salescastFamilies.length).toBe(11);
    expect(salescastFamilies.filter((name) => !queried.has(name))).toEqual([]);
  });

  it("has a sample, at 0, of every salescast series the dashboard queries on a fresh server", async () => {
    const app = Fastify();
    const fresh = createMetrics();
    registerMetrics(app, fresh);
    // what a server does once its first model serves; nothing has been requested, trained or loaded yet
    fresh.setServingModels([{ name: "global", version: "v1" }]);
    const text = (await app.inject({ method: "GET", url: "/metrics" })).body;
    await app.close();
    const samples = parseSamples(text);
    const queried = [...new Set(dashboardExpressions().flatMap(metricFamiliesIn))].filter((name) =>
      name.startsWith("salescast_"),
    );
    const ofFamily = (family: string) =>
      samples.filter((s) => s.name === family || s.name.replace(/_(?:bucket|sum|count)$/, "") === family);
    expect(queried.filter((family) => ofFamily(family).length === 0)).toEqual([]);
    const nonZero = queried
      .filter((family) => family !== "salescast_serving_model_info")
      .flatMap((family) =>
        ofFamily(family)
          .filter((s) => s.value !== 0)
          .map((s) => s.name),
      );
    expect(nonZero).toEqual([]);
    for (const outcome of ["succeeded", "failed"]) {
      expect(samples).toContainEqual({
        name: "salescast_training_runs_total",
        labels: { outcome },
        value: 0,
      });
    }
    expect(samples).toContainEqual({
      name: "salescast_predictions_total",
      labels: { model: "global", version: "v1" },
      value: 0,
    });
  });

  it("reads metric names out of PromQL, not label names, functions or ranges", async () => {
    expect(
      metricFamiliesIn(
        'histogram_quantile(0.99, sum by (le, route) (rate(a_seconds_bucket{route!~"/metrics|x"}[$__rate_interval])))' +
          " / on (route) group_left sum(rate(b_total[5m])) or vector(0)",
      ),
    ).toEqual(["a_seconds", "b_total"]);
  });
});

/** The metric families a worker's /metrics declares, scraped over HTTP from a real worker metrics server. */
async function workerFamilies(): Promise<Set<string>> {
  const metrics = createWorkerMetrics(async () => ({ waiting: 2, active: 1 }));
  const port = await metrics.listen("127.0.0.1", 0);
  try {
    return declaredFamilies(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
  } finally {
    await metrics.close();
  }
}

async function apiFamilies(): Promise<Set<string>> {
  const app = Fastify();
  registerMetrics(app, createMetrics());
  try {
    return declaredFamilies((await app.inject({ method: "GET", url: "/metrics" })).body);
  } finally {
    await app.close();
  }
}

describe("Grafana cluster dashboard", () => {
  it("queries only metrics an API replica or a worker declares, and shows every worker metric", async () => {
    const [api, worker] = await Promise.all([apiFamilies(), workerFamilies()]);
    // `up` is the one series Prometheus writes itself, one per target.
    const known = new Set([...api, ...worker, "up"]);
    const queried = new Set(dashboardExpressions(CLUSTER_DASHBOARD).flatMap(metricFamiliesIn));

    expect([...queried].filter((name) => !known.has(name))).toEqual([]);
    const workerOwn = [...worker].filter((name) => name.startsWith("salescast_"));
    expect(workerOwn.length).toBe(3);
    expect(workerOwn.filter((name) => !queried.has(name))).toEqual([]);
    for (const name of ["salescast_http_requests_total", "salescast_serving_model_info"]) {
      expect(queried, name).toContain(name);
    }
  });

  it("takes the max of the queue's depth over workers, never the sum: each reports the whole queue", () => {
    const depth = dashboardExpressions(CLUSTER_DASHBOARD).filter((expr) =>
      expr.includes("salescast_queue_jobs"),
    );
    expect(depth.length).toBeGreaterThan(0);
    for (const expr of depth) {
      expect(expr).toMatch(/^max by \(state\) \(salescast_queue_jobs\b/);
      expect(expr).not.toMatch(/\b(?:sum|count|avg)\b/);
    }
  });

  it("selects only jobs that deploy/cluster/prometheus.yml scrapes, through the provisioned datasource", () => {
    const scrapes = parseYaml(readFileSync(CLUSTER_PROMETHEUS, "utf8")) as {
      scrape_configs: { job_name: string }[];
    };
    const jobs = new Set(scrapes.scrape_configs.map((config) => config.job_name));
    const datasources = parseYaml(
      readFileSync("deploy/grafana/provisioning/datasources/prometheus.yml", "utf8"),
    ) as {
      datasources: { uid: string }[];
    };
    const uid = datasources.datasources[0].uid;
    const expressions = dashboardExpressions(CLUSTER_DASHBOARD);

    const named = expressions.flatMap((expr) =>
      [...expr.matchAll(/\bjob\s*(=~?)\s*"([^"]*)"/g)].flatMap(([, op, value]) =>
        op === "=~" ? value.split("|") : [value],
      ),
    );
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((job) => !jobs.has(job))).toEqual([]);
    expect([...jobs].filter((job) => !named.includes(job))).toEqual([]);
    for (const panel of dashboardPanels(CLUSTER_DASHBOARD)) {
      expect(panel.datasource?.uid, panel.title).toBe(uid);
      for (const target of panel.targets ?? []) expect(target.datasource?.uid, panel.title).toBe(uid);
    }
  });
});
