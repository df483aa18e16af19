/**
 * How fast a promotion reaches another serving replica: a PostgreSQL of its own (.ci/start-postgres.sh), two
 * global versions trained into it by `salescast train` (bundled data, small network), two `salescast serve`
 * processes on it (replica A on core 0, B on core 1), then promotions alternating between the two versions
 * through A's HTTP API, each timed from A's answer to the first forecast B makes with the new version (B polled
 * back to back). Prints each round and the median, and JSON lines:
 *
 *     npm run bench:propagation [-- --rounds 9]
 *
 * Needs Debian's postgresql. The machine may be shared: single runs.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { onCore } from "./server-process.ts";

const { values: args } = parseArgs({ options: { rounds: { type: "string" } } });
const rounds = Number(args.rounds ?? 9);
const REPO = join(import.meta.dirname, "..");
const TSX = join(REPO, "node_modules", ".bin", "tsx");
const CLI = join(REPO, "src", "cli.ts");
const TOKEN = "bench-propagation-token";

const folder = mkdtempSync(join(tmpdir(), "salescast-bench-propagation-"));
// a folder of its own: the script hands it to PostgreSQL's user, who cannot enter ours
const pgFolder = mkdtempSync(join(tmpdir(), "salescast-bench-pg-"));
const started = spawnSync("bash", [join(REPO, ".ci", "start-postgres.sh"), pgFolder], {
  encoding: "utf8",
});
if (started.status !== 0) {
  rmSync(folder, { recursive: true, force: true });
  rmSync(pgFolder, { recursive: true, force: true });
  throw new Error(`cannot start PostgreSQL: ${started.stderr}`);
}
const overrides = [
  `registry.url=${JSON.stringify(started.stdout.trim())}`,
  "registry.promotion=manual",
  `paths.artifacts=${JSON.stringify(join(folder, "artifacts"))}`,
  "model.members=[network]",
  "model.highway=false",
  "train.max_epochs=2",
];

function trainVersion(seed: number): void {
  const run = spawnSync(TSX, [CLI, "train", ...overrides, `train.seed=${seed}`], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`training seed ${seed} failed:\n${run.stderr}`);
}

/** A replica on `core`, resolved with its base URL once it listens. */
function startReplica(core: string): Promise<{ child: ChildProcess; url: string }> {
  const [command, argv] = onCore(core, TSX, [
    CLI,
    "serve",
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    ...overrides,
  ]);
  const child = spawn(command, argv, {
    env: { ...process.env, SALESCAST_ADMIN_TOKEN: TOKEN, PORT: "", HOST: "" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`a replica exited with ${code}`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      const match = /Server listening at (http:\/\/[\d.:]+)/.exec(line);
      if (match) resolve({ child, url: match[1] });
    });
  });
}

async function servedId(url: string): Promise<number | undefined> {
  const response = await fetch(`${url}/api/predict`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ series: Array.from({ length: 14 }, (_, i) => 400 + 25 * (i % 7)) }),
  });
  return response.ok ? ((await response.json()) as { model: { id: number } }).model.id : undefined;
}

const replicas: ChildProcess[] = [];
try {
  trainVersion(1);
  trainVersion(2);
  const [a, b] = await Promise.all([startReplica("0"), startReplica("1")]);
  replicas.push(a.child, b.child);
  const ids = [1, 2];
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const id = ids[round % 2];
    const promoted = await fetch(`${a.url}/api/models/${id}/promote`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    if (!promoted.ok)
      throw new Error(`promoting ${id} through A: HTTP ${promoted.status} ${await promoted.text()}`);
    const committed = performance.now();
    while ((await servedId(b.url)) !== id) {
      if (performance.now() - committed > 30_000)
        throw new Error(`B did not serve version ${id} within 30 s`);
    }
    times.push(performance.now() - committed);
  }
  const sorted = [...times].sort((x, y) => x - y);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log("promotion through replica A, served by replica B (ms after A answered):");
  console.log(times.map((t) => t.toFixed(1)).join(", "));
  console.log(`median ${median.toFixed(1)} ms, max ${sorted.at(-1)?.toFixed(1)} ms (aim: under 1000 ms)`);
  for (const [round, ms] of times.entries()) console.log(JSON.stringify({ bench: "propagation", round, ms }));
  console.log(JSON.stringify({ bench: "propagation", median_ms: median, rounds }));
} finally {
  for (const child of replicas) child.kill("SIGTERM");
  await Promise.all(replicas.map((c) => new Promise((resolve) => c.once("exit", resolve))));
  spawnSync("bash", [join(REPO, ".ci", "stop-postgres.sh"), pgFolder]);
  rmSync(folder, { recursive: true, force: true });
}
