import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DEFAULT_SYNTHETIC, writeSyntheticCsv } from "../../bench/synthetic.ts";
import { loadConfig } from "../../src/config/index.ts";
import { UNITS_QUEUE } from "../../src/queue/index.ts";
import { Registry } from "../../src/registry/index.ts";
import { CliProcess, cleanEnv, FULL_CLI } from "../server/cli-process.ts";
import { ADMIN_TOKEN } from "../server/registry-server.ts";
import { CONFIG_FILE } from "../server/trained-models.ts";
import { ciScript } from "./global-setup.ts";
import { emptyDatabase } from "./postgres.ts";

// Per-series trainings of 200 synthetic series on BullMQ workers, with API replicas, each a process of its
// own, on the suite's Redis, registering into a PostgreSQL registry: with a worker SIGKILLed in the middle,
// and with Redis restarted in the middle. Whatever happens, each series ends with exactly one version or the
// run fails saying why, and no model folder is left half-written.

const SERIES = 200;
const dir = mkdtempSync(join(tmpdir(), "salescast-queue-"));
const csv = join(dir, "sales.csv");
const processes: CliProcess[] = [];

const common = [
  "data.format=long",
  "data.frequency=D",
  "data.window_size=14",
  "data.horizon=7",
  "train.scope=per_series",
  "model.members=[seasonal_naive, linear, ets]",
  "registry.promotion=always",
  "queue.unit_series=10",
  "queue.lock_ms=2000",
  "queue.backoff_ms=200",
];

beforeAll(() => {
  writeSyntheticCsv(csv, { ...DEFAULT_SYNTHETIC, series: SERIES, length: 160, seed: 7 });
});

afterAll(async () => {
  for (const child of processes) child.child.kill("SIGKILL");
  await Promise.all(processes.map((p) => p.exited));
  rmSync(dir, { recursive: true, force: true });
});

/** A run's own overrides: its registry database, artifact folder, and the queue (or none: in-process). */
async function runSetting(name: string, { queued = true, file = csv } = {}) {
  const registryUrl = await emptyDatabase();
  const overrides = [
    ...common,
    `data.csv_path=${JSON.stringify(file)}`,
    `registry.url=${JSON.stringify(registryUrl)}`,
    `paths.artifacts=${JSON.stringify(join(dir, name))}`,
    ...(queued ? [`queue.url=${JSON.stringify(inject("redisUrl"))}`] : []),
  ];
  return { overrides, config: loadConfig(CONFIG_FILE, overrides, {}) };
}

function startWorker(overrides: readonly string[]): CliProcess {
  const worker = new CliProcess(
    ["worker", "--concurrency", "1", "--config", CONFIG_FILE, ...overrides],
    cleanEnv(),
    FULL_CLI,
  );
  processes.push(worker);
  return worker;
}

function train(overrides: readonly string[]): CliProcess {
  return new CliProcess(["train", "--config", CONFIG_FILE, ...overrides], cleanEnv(), FULL_CLI);
}

/** `salescast serve` on a free loopback port, with the admin token: an API replica. */
function startApi(overrides: readonly string[]): CliProcess {
  const api = new CliProcess(
    ["serve", "--host", "127.0.0.1", "--port", "0", "--config", CONFIG_FILE, ...overrides],
    cleanEnv({ SALESCAST_ADMIN_TOKEN: ADMIN_TOKEN }),
  );
  processes.push(api);
  return api;
}

interface RunView {
  status: string;
  error: string | null;
  model_ids: number[];
  progress: { units?: { done: number; total: number } } | null;
}

/** Polls GET /api/train/{id} on `base` until the run has ended. */
async function finishedRun(base: string, runId: string): Promise<RunView> {
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    const run = (await (await fetch(`${base}/api/train/${runId}`)).json()) as RunView;
    if (run.status !== "queued" && run.status !== "running") return run;
    await sleep(250);
  }
  throw new Error(`run ${runId} did not end within 240 s`);
}

async function stopProcesses(): Promise<void> {
  for (const child of processes.splice(0)) {
    child.child.kill("SIGTERM");
    await child.exited;
  }
}

/** Every registered version by model name, and the folders of the artifacts root. */
async function registered(config: ReturnType<typeof loadConfig>) {
  const registry = await Registry.open(config.registry);
  try {
    const models = await registry.list();
    const versions = new Map<string, number[]>();
    for (const m of models) versions.set(m.name, [...(versions.get(m.name) ?? []), m.version]);
    return { models, versions };
  } finally {
    await registry.close();
  }
}

function seriesIds(): string[] {
  const ids = new Set(
    readFileSync(csv, "utf8")
      .split("\n")
      .slice(1)
      .filter((line) => line !== "")
      .map((line) => line.split(",")[0]),
  );
  return [...ids].sort();
}

const NOTHING_LEFT = { waiting: 0, active: 0, delayed: 0, prioritized: 0, failed: 0 };

/** The queue's jobs left waiting, running or failed. */
async function leftInQueue(): Promise<Record<string, number>> {
  const connection = new Redis(inject("redisUrl"), { maxRetriesPerRequest: null });
  const queue = new Queue(UNITS_QUEUE, { connection });
  try {
    return await queue.getJobCounts("waiting", "active", "delayed", "prioritized", "failed");
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

describe("per-series training on queue workers", () => {
  it("started over HTTP on API replica A, with one of two workers SIGKILLed mid-run: the run completes, one version per series, nothing half-written, replica B serves them", async () => {
    const { overrides, config } = await runSetting("killed");
    const doomed = startWorker(overrides);
    const survivor = startWorker(overrides);
    const [a, b] = await Promise.all([startApi(overrides).listening(), startApi(overrides).listening()]);
    await Promise.all([doomed, survivor].map((w) => w.waitForLog((l) => l.msg === "worker ready")));
    const started = await fetch(`${a}/api/train`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(started.status).toBe(202);
    const { run_id: runId } = (await started.json()) as { run_id: string };
    // Killed while it trains its second unit: the unit it held must be done by the survivor.
    const starts = () => doomed.logs.filter((l) => l.msg === "unit started");
    await doomed.waitForLog((l) => l.msg === "unit started" && starts().length >= 2);
    const heldUnit = starts().at(-1)?.unit;
    doomed.child.kill("SIGKILL");
    const run = await finishedRun(a, runId);
    expect(run.status, run.error ?? "").toBe("succeeded");
    expect(run.model_ids).toHaveLength(SERIES);
    expect(run.progress?.units).toEqual({ done: SERIES / 10, total: SERIES / 10 });
    expect(doomed.logs.some((l) => l.msg === "unit done" && l.unit === heldUnit)).toBe(false);
    expect(
      survivor.logs.some((l) => l.msg === "unit done" && l.unit === heldUnit),
      `unit ${heldUnit} recovered`,
    ).toBe(true);
    const { models, versions } = await registered(config);
    expect([...versions.keys()].sort()).toEqual(seriesIds().map((id) => `series:${id}`));
    expect(models).toHaveLength(SERIES);
    for (const list of versions.values()) expect(list).toEqual([1]);
    expect(readdirSync(config.paths.artifacts).filter((name) => name.startsWith("."))).toEqual([]);
    expect(await leftInQueue()).toEqual(NOTHING_LEFT);
    // Replica B heard of the new production versions and serves one, from the database's files.
    const someSeries = seriesIds()[SERIES - 1];
    await expect
      .poll(async () => (await fetch(`${b}/api/forecast/${someSeries}`)).status, {
        timeout: 60_000,
        interval: 200,
      })
      .toBe(200);
    await stopProcesses();
  }, 300_000);

  it("with Redis restarted mid-run (append-only file on): the run completes with one version per series", async () => {
    const { overrides, config } = await runSetting("restarted");
    const pair = [startWorker(overrides), startWorker(overrides)];
    await Promise.all(pair.map((w) => w.waitForLog((l) => l.msg === "worker ready")));
    const run = train(overrides);
    await Promise.race(pair.map((w) => w.waitForLog((l) => l.msg === "unit done")));
    const folder = inject("redisFolder");
    const port = readFileSync(join(folder, "port"), "utf8").trim();
    ciScript("stop-redis.sh", [folder], "Redis");
    await sleep(1000);
    ciScript("start-redis.sh", [folder, port], "Redis");
    const done = () => pair.reduce((n, w) => n + w.logs.filter((l) => l.msg === "unit done").length, 0);
    const doneBeforeRestart = done();
    const { code } = await run.exited;
    expect(code, run.stderr).toBe(0);
    expect(done(), "units done after the restart").toBeGreaterThan(doneBeforeRestart);
    const { models, versions } = await registered(config);
    expect(models).toHaveLength(SERIES);
    for (const list of versions.values()) expect(list).toEqual([1]);
    expect(await leftInQueue()).toEqual(NOTHING_LEFT);
    await stopProcesses();
  }, 300_000);

  it("gives every series the same model as training it in-process does", async () => {
    const small = join(dir, "small.csv");
    writeSyntheticCsv(small, { ...DEFAULT_SYNTHETIC, series: 12, length: 160, seed: 11 });
    const local = await runSetting("local", { queued: false, file: small });
    const queued = await runSetting("queued", { file: small });
    const worker = startWorker(queued.overrides);
    await worker.waitForLog((l) => l.msg === "worker ready");
    // One unit in the queue at a time: the second is queued only once the first is done.
    const oneAtATime = ["queue.max_queued=1"];
    for (const setting of [local, queued]) {
      const run = train([...setting.overrides, ...oneAtATime]);
      const { code } = await run.exited;
      expect(code, run.stderr).toBe(0);
    }
    const byName = async (config: ReturnType<typeof loadConfig>) => {
      const registry = await Registry.open(config.registry);
      try {
        const out = new Map<string, { sha: string; forecasts: unknown }>();
        for (const model of await registry.list()) {
          const artifact = await registry.artifact(model.id);
          out.set(model.name, { sha: artifact.meta.onnx_sha256, forecasts: artifact.forecasts });
        }
        return out;
      } finally {
        await registry.close();
      }
    };
    const expected = await byName(local.config);
    const got = await byName(queued.config);
    expect(expected.size).toBe(12);
    expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [name, model] of expected) expect(got.get(name), name).toEqual(model);
    await stopProcesses();
  }, 300_000);

  it("fails a run whose unit fails every attempt, saying why, with nothing registered or left queued", async () => {
    const { overrides, config } = await runSetting("failing");
    const worker = startWorker(overrides);
    await worker.waitForLog((l) => l.msg === "worker ready");
    // No window member: every unit's models fail to save, on every attempt.
    const run = train([...overrides, "model.members=[seasonal_naive, ets]", "queue.attempts=2"]);
    const { code } = await run.exited;
    expect(code).toBe(2);
    expect(run.stderr).toMatch(
      /error: work unit \d+ of 20 failed: model.members must include a window member/,
    );
    expect(worker.logs.filter((l) => l.msg === "unit failed").length).toBeGreaterThanOrEqual(2);
    expect((await registered(config)).models).toEqual([]);
    expect(await leftInQueue()).toEqual(NOTHING_LEFT);
    await stopProcesses();
  }, 300_000);

  it("fits a global model's statistical members on the workers, with the forecasts made in-process", async () => {
    const small = join(dir, "global.csv");
    writeSyntheticCsv(small, { ...DEFAULT_SYNTHETIC, series: 30, length: 160, seed: 13 });
    const global = ["train.scope=global", "queue.unit_series=4"];
    const local = await runSetting("global-local", { queued: false, file: small });
    const queued = await runSetting("global-queued", { file: small });
    const worker = startWorker(queued.overrides);
    await worker.waitForLog((l) => l.msg === "worker ready");
    const forecasts = [];
    for (const setting of [local, queued]) {
      const run = train([...setting.overrides, ...global]);
      const { code } = await run.exited;
      expect(code, run.stderr).toBe(0);
      const registry = await Registry.open(setting.config.registry);
      try {
        const [model] = await registry.list();
        forecasts.push((await registry.artifact(model.id)).forecasts);
      } finally {
        await registry.close();
      }
    }
    expect(forecasts[1]).toEqual(forecasts[0]);
    // 4 histories a job: 8 jobs for the 30 series' ends, and more for their cross-validation origins.
    expect(worker.logs.filter((l) => l.msg === "unit done").length).toBeGreaterThan(8);
    await stopProcesses();
  }, 300_000);
});
