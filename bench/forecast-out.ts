/**
 * `salescast forecast --out FILE.csv` at scale: the whole process's wall time (spawn to exit) writing the stored
 * forecasts of every series of a global model trained on N synthetic daily series (bench/synthetic.ts, seed 42,
 * 730 days; the network alone, step-bounded, as bench/many-series.ts trains it).
 *
 *     npm run bench:forecast-out -- [--series 100000] [--root DIR] [--runs 3] [--cli src/cli.ts]
 *
 * The CSV and the trained model are kept in `--root` (default: a folder per N under the temporary directory)
 * and reused by the next run with the same root; delete it to train anew. Each export runs pinned to core 1
 * with taskset where it can; prints every run, the median, the peak RSS (from /usr/bin/time where present),
 * the rows, and the sha256 of the CSV, so that two checkouts (`--cli`) can be compared byte for byte.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { onCore } from "./server-process.ts";
import { DEFAULT_SYNTHETIC, writeSyntheticCsv } from "./synthetic.ts";

const { values: args } = parseArgs({
  options: {
    series: { type: "string" },
    root: { type: "string" },
    runs: { type: "string" },
    cli: { type: "string" },
  },
});
const count = Number(args.series ?? 100_000);
const runs = Number(args.runs ?? 3);
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(runs) || runs < 1) {
  process.stderr.write("--series and --runs must be positive integers\n");
  process.exit(2);
}
const REPO = join(import.meta.dirname, "..");
const CLI = resolve(args.cli ?? join(REPO, "src", "cli.ts"));
const STEP = join(import.meta.dirname, "many-series-step.ts");
const root = resolve(args.root ?? join(tmpdir(), `salescast-bench-forecast-out-${count}`));
const data = join(root, "data.csv");
const models = join(root, "models");
const TRAINING = [
  "data.horizon=14",
  "data.window_size=14",
  "data.season=7",
  "model.members=[network]",
  "train.max_steps=1000",
  "train.windows_per_epoch=16000",
];
const paths = [
  `paths.artifacts=${JSON.stringify(join(models, "artifacts"))}`,
  `registry.path=${JSON.stringify(join(models, "registry.db"))}`,
];
const TIME = "/usr/bin/time";
const canTime = existsSync(TIME);

mkdirSync(root, { recursive: true });
if (!existsSync(data)) {
  process.stderr.write(`writing ${count} synthetic series to ${data}\n`);
  writeSyntheticCsv(data, { ...DEFAULT_SYNTHETIC, series: count });
}
if (!existsSync(join(models, "registry.db"))) {
  process.stderr.write(`training a global model in ${models}\n`);
  const run = spawnSync(process.execPath, ["--import", "tsx", STEP, "train", data, models, ...TRAINING], {
    cwd: REPO,
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (run.status !== 0) throw new Error(`training failed (exit ${run.status})`);
}

/** One export: seconds from spawn to exit, and the peak RSS in MiB when /usr/bin/time can tell. */
function exportOnce(out: string): { seconds: number; peakRssMib: number | null } {
  const node = [process.execPath, "--import", "tsx", CLI, "forecast", "--out", out, ...paths];
  const [command, argv] = canTime
    ? onCore("1", TIME, ["-f", "peak_rss_kib=%M", ...node])
    : onCore("1", node[0], node.slice(1));
  const started = performance.now();
  const run = spawnSync(command, argv, { cwd: REPO, encoding: "utf8" });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`salescast forecast --out failed:\n${run.stderr}`);
  const rss = /peak_rss_kib=(\d+)/.exec(run.stderr);
  return { seconds, peakRssMib: rss ? Number(rss[1]) / 1024 : null };
}

const out = join(root, "all.csv");
const results = Array.from({ length: runs }, (_, i) => {
  const result = exportOnce(out);
  process.stderr.write(`run ${i + 1}: ${result.seconds.toFixed(2)} s\n`);
  return result;
});
const csv = readFileSync(out);
let rows = -1; // the header is not a row
for (const byte of csv) if (byte === 10) rows++;
const seconds = results.map((r) => r.seconds);
const median = [...seconds].sort((a, b) => a - b)[Math.floor(seconds.length / 2)];
const rss = results.map((r) => r.peakRssMib).filter((v): v is number => v !== null);
const summary = {
  bench: "forecast-out",
  series: count,
  cli: CLI,
  runs_s: seconds.map((s) => Number(s.toFixed(2))),
  median_s: Number(median.toFixed(2)),
  peak_rss_mib: rss.length === 0 ? null : Math.round(Math.max(...rss)),
  rows,
  mib: Number((statSync(out).size / 2 ** 20).toFixed(1)),
  csv_sha256: createHash("sha256").update(csv).digest("hex"),
};
console.log(
  `forecast --out, ${count} series: median ${median.toFixed(2)} s of ${runs} (${seconds.map((s) => s.toFixed(2)).join(", ")})`,
);
console.log(JSON.stringify(summary));
