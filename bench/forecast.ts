/**
 * Latency of the stored-forecast routes on pharma_daily (8 series, horizon 14): a model of the default members is
 * trained and registered once, `salescast serve` runs pinned to core 1, and requests come one at a time from
 * this process on core 0: 2,000 GET /api/forecast/{id} (p50, p99, max), then 50 GET /api/forecast as JSON and
 * as CSV (median, max). `npm run bench:forecast`.
 */
import { spawn, spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_CONFIG_PATH, loadConfig } from "../src/config/index.ts";
import { Registry } from "../src/registry/index.ts";
import { silentProgress } from "../src/train/index.ts";
import { trainAndRegister } from "../src/train/register.ts";
import { onCore, serveArgs, waitUntilUp } from "./server-process.ts";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const DATA = fileURLToPath(new URL("../../shared/data/pharma_daily/pharma_daily_sales.csv", import.meta.url));
const ROOT = join(tmpdir(), "salescast-bench-forecast");
const PORT = 18011;
const SINGLE_REQUESTS = 2000;
const LIST_REQUESTS = 50;

const overrides = [
  `paths.artifacts=${JSON.stringify(join(ROOT, "artifacts"))}`,
  `registry.path=${JSON.stringify(join(ROOT, "registry.db"))}`,
  `data.csv_path=${JSON.stringify(DATA)}`,
  "data.format=long",
  "data.horizon=14",
  "data.window_size=14",
];

/** Trains and registers the bench's model once; returns the series it serves. */
async function ensureModel(): Promise<string[]> {
  const config = loadConfig(join(REPO, DEFAULT_CONFIG_PATH), overrides, {});
  const registry = await Registry.open(config.registry);
  try {
    if ((await registry.production()).length === 0)
      await trainAndRegister(config, { registry, progress: silentProgress });
    return (await registry.artifact((await registry.production())[0].id)).meta.series;
  } finally {
    await registry.close();
  }
}

async function timed(url: string, headers: Record<string, string> = {}): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, { headers });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return performance.now() - started;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

const ids = await ensureModel();
const [command, args] = onCore("1", process.execPath, serveArgs(PORT, overrides));
spawnSync("taskset", ["-cp", "0", String(process.pid)]);
const server = spawn(command, args, { cwd: REPO, stdio: ["ignore", "ignore", "inherit"] });
try {
  await waitUntilUp(PORT, server);
  const base = `http://127.0.0.1:${PORT}`;
  for (let i = 0; i < 200; i++)
    await timed(`${base}/api/forecast/${encodeURIComponent(ids[i % ids.length])}`);
  const single: number[] = [];
  for (let i = 0; i < SINGLE_REQUESTS; i++) {
    single.push(await timed(`${base}/api/forecast/${encodeURIComponent(ids[i % ids.length])}`));
  }
  const list = async (headers: Record<string, string>) => {
    const times: number[] = [];
    for (let i = 0; i < LIST_REQUESTS; i++) times.push(await timed(`${base}/api/forecast`, headers));
    return times.sort((a, b) => a - b);
  };
  const json = await list({});
  const csv = await list({ accept: "text/csv" });
  single.sort((a, b) => a - b);
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  console.log(
    `GET /api/forecast/{id} (${ids.length} series, ${SINGLE_REQUESTS} requests): p50 ${ms(quantile(single, 0.5))}, ` +
      `p99 ${ms(quantile(single, 0.99))}, max ${ms(single[single.length - 1])}`,
  );
  console.log(
    `GET /api/forecast JSON (${LIST_REQUESTS}x): median ${ms(quantile(json, 0.5))}, max ${ms(json[json.length - 1])}`,
  );
  console.log(
    `GET /api/forecast CSV (${LIST_REQUESTS}x): median ${ms(quantile(csv, 0.5))}, max ${ms(csv[csv.length - 1])}`,
  );
} finally {
  server.kill("SIGTERM");
}
