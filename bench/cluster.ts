/**
 * The work queue on one machine: a per-series training of synthetic daily series (bench/synthetic.ts, seed 42)
 * through BullMQ on a Redis of its own (.ci/start-redis.sh), trained by 1 and then 2 `salescast worker`
 * processes (concurrency 1 each, worker k pinned to core k), the speedup of 2 over 1; and the queue's own
 * throughput with empty jobs (add, then process with a no-op processor at concurrency 1 and 16). Prints a
 * table and JSON lines:
 *
 *     npm run bench:cluster [-- --series 2000 --length 730 --jobs 20000] [key=value ...]
 *
 * Needs Debian's redis-server. Single runs: the machine may be shared.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { Queue, QueueEvents, Worker } from "bullmq";
import { Redis } from "ioredis";
import { canPin, onCore } from "./server-process.ts";
import { DEFAULT_SYNTHETIC, writeSyntheticCsv } from "./synthetic.ts";

const { values: args, positionals: overrides } = parseArgs({
  options: { series: { type: "string" }, length: { type: "string" }, jobs: { type: "string" } },
  allowPositionals: true,
});
const seriesCount = Number(args.series ?? 2000);
const length = Number(args.length ?? 730);
const emptyJobs = Number(args.jobs ?? 20_000);
const REPO = join(import.meta.dirname, "..");
const TSX = join(REPO, "node_modules", ".bin", "tsx");
const CLI = join(REPO, "src", "cli.ts");

const folder = mkdtempSync(join(tmpdir(), "salescast-bench-cluster-"));
const redisFolder = join(folder, "redis");
const start = spawnSync("bash", [join(REPO, ".ci", "start-redis.sh"), redisFolder], { encoding: "utf8" });
if (start.status !== 0) throw new Error(`cannot start Redis: ${start.stderr}`);
const redisUrl = start.stdout.trim();

const file = join(tmpdir(), `salescast-synthetic-${seriesCount}x${length}-seed42.csv`);
if (!existsSync(file)) writeSyntheticCsv(file, { ...DEFAULT_SYNTHETIC, series: seriesCount, length });

/** The run's config: the file, per-series scope, the queue; the command line's overrides last. */
function settings(name: string): string[] {
  return [
    `data.csv_path=${JSON.stringify(file)}`,
    "data.format=long",
    "data.frequency=D",
    "data.horizon=14",
    "data.window_size=14",
    "train.scope=per_series",
    "model.members=[seasonal_naive, linear, mstl, ets]",
    `queue.url=${JSON.stringify(redisUrl)}`,
    `paths.artifacts=${JSON.stringify(join(folder, name, "artifacts"))}`,
    `registry.path=${JSON.stringify(join(folder, name, "registry.db"))}`,
    ...overrides,
  ];
}

/** A `salescast worker` on `core`, resolved once it says it is ready. */
function startWorker(core: string, config: string[]): Promise<ChildProcess> {
  const [command, argv] = onCore(core, TSX, [CLI, "worker", "--concurrency", "1", ...config]);
  const child = spawn(command, argv, { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`a worker exited with ${code} before it was ready`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      if (line.includes('"worker ready"')) resolve(child);
    });
  });
}

/** The per-series training on `count` workers: the seconds from `salescast train`'s start to its exit. */
async function trainOn(count: number): Promise<number> {
  const config = settings(`workers-${count}`);
  const workers = await Promise.all(Array.from({ length: count }, (_, k) => startWorker(String(k), config)));
  const started = performance.now();
  const [command, argv] = onCore("0", TSX, [CLI, "train", ...config]);
  const run = spawnSync(command, argv, { encoding: "utf8", maxBuffer: 1 << 28 });
  const seconds = (performance.now() - started) / 1000;
  for (const worker of workers) worker.kill("SIGTERM");
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once("exit", resolve))));
  if (run.status !== 0) throw new Error(`training on ${count} worker(s) failed:\n${run.stderr}`);
  process.stderr.write(`per-series training on ${count} worker(s): ${seconds.toFixed(1)} s\n`);
  return seconds;
}

/** Empty jobs: jobs/s of adding them in bulk, and of processing them with a no-op at each concurrency. */
async function emptyJobThroughput(concurrency: number) {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const name = `salescast-bench-empty-${concurrency}`;
  const queue = new Queue(name, { connection });
  let began = performance.now();
  for (let i = 0; i < emptyJobs; i += 1000) {
    const size = Math.min(1000, emptyJobs - i);
    await queue.addBulk(
      Array.from({ length: size }, (_, k) => ({
        name: "empty",
        data: { k: i + k },
        opts: { removeOnComplete: true },
      })),
    );
  }
  const addSeconds = (performance.now() - began) / 1000;
  const eventsConnection = connection.duplicate();
  const workerConnection = connection.duplicate();
  const events = new QueueEvents(name, { connection: eventsConnection });
  await events.waitUntilReady();
  let done = 0;
  began = performance.now();
  const finished = new Promise<void>((resolve) => {
    const worker = new Worker(name, async () => {}, { connection: workerConnection, concurrency });
    worker.on("completed", () => {
      if (++done === emptyJobs) void worker.close().then(resolve);
    });
  });
  await finished;
  const processSeconds = (performance.now() - began) / 1000;
  await events.close();
  await queue.obliterate({ force: true });
  await queue.close();
  for (const c of [connection, eventsConnection, workerConnection]) c.disconnect();
  return { concurrency, add_per_s: emptyJobs / addSeconds, process_per_s: emptyJobs / processSeconds };
}

try {
  const one = await trainOn(1);
  const two = await trainOn(2);
  const queue = [await emptyJobThroughput(1), await emptyJobThroughput(16)];
  console.log(
    `per-series training of ${seriesCount} synthetic daily series × ${length} days, horizon 14, units of ` +
      `queue.unit_series; ${canPin ? "worker k pinned to core k, the training command to core 0" : "not pinned"}`,
  );
  console.log("| workers | seconds | speedup |");
  console.log("|---|---|---|");
  console.log(`| 1 | ${one.toFixed(1)} | 1 |`);
  console.log(`| 2 | ${two.toFixed(1)} | ${(one / two).toFixed(2)} |`);
  console.log(`\nempty jobs (${emptyJobs}), one process on this machine's Redis`);
  console.log("| concurrency | added jobs/s | processed jobs/s |");
  console.log("|---|---|---|");
  for (const q of queue)
    console.log(`| ${q.concurrency} | ${q.add_per_s.toFixed(0)} | ${q.process_per_s.toFixed(0)} |`);
  console.log(JSON.stringify({ bench: "cluster", series: seriesCount, length, workers: 1, seconds: one }));
  console.log(
    JSON.stringify({
      bench: "cluster",
      series: seriesCount,
      length,
      workers: 2,
      seconds: two,
      speedup: one / two,
    }),
  );
  for (const q of queue) console.log(JSON.stringify({ bench: "cluster-queue", jobs: emptyJobs, ...q }));
} finally {
  spawnSync("bash", [join(REPO, ".ci", "stop-redis.sh"), redisFolder]);
  rmSync(folder, { recursive: true, force: true });
}
