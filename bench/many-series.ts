/**
 * A hundred thousand series on one machine: on a synthetic daily file (bench/synthetic.ts, seed 42; 100k series
 * × 730 days = 73 M rows by default), the wall time and peak RSS of
 *
 * 1. ingest (loadSeries), in rows per second;
 * 2. training a global model (the network alone by default, step-bounded) and registering it;
 * 3. the network's forecast of every series from its last window through ONNX, in batches of 256, 1024, 4096;
 * 4. `salescast forecast --out FILE.csv`: the stored forecasts of every series as CSV, a process of its own;
 * 5. `GET /api/forecast` with `Accept: text/csv` from `salescast serve`: first byte and last byte.
 *
 * Each step runs in a process of its own pinned to core 1 (the requests come from core 0):
 *
 *     npm run bench:many [-- --series 100000 --length 730] [key=value ...]
 *
 * Overrides replace the training defaults below (e.g. `model.members=[linear,network]`). Prints a table and
 * JSON lines. The machine may be shared: figures are single runs.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { onCore, serveArgs, waitUntilUp } from "./server-process.ts";
import { DEFAULT_SYNTHETIC, writeSyntheticCsv } from "./synthetic.ts";

const { values: args, positionals } = parseArgs({
  options: { series: { type: "string" }, length: { type: "string" } },
  allowPositionals: true,
});
const count = Number(args.series ?? 100_000);
const length = Number(args.length ?? 730);
const HORIZON = 14;
const PORT = 18031;
const REPO = join(import.meta.dirname, "..");
const CLI = join(REPO, "src", "cli.ts");
const STEP = join(import.meta.dirname, "many-series-step.ts");
const TRAINING = [
  `data.horizon=${HORIZON}`,
  "data.window_size=14",
  "data.season=7",
  "model.members=[network]",
  "train.max_steps=1000",
  "train.windows_per_epoch=16000",
];
const overrides = [...TRAINING, ...positionals];

const file = join(tmpdir(), `salescast-synthetic-${count}x${length}-seed42.csv`);
if (!existsSync(file)) writeSyntheticCsv(file, { ...DEFAULT_SYNTHETIC, series: count, length });
const root = mkdtempSync(join(tmpdir(), "salescast-bench-many-"));
const pathOverrides = [
  `data.csv_path=${JSON.stringify(file)}`,
  "data.format=long",
  "data.frequency=D",
  `paths.artifacts=${JSON.stringify(join(root, "artifacts"))}`,
  `registry.path=${JSON.stringify(join(root, "registry.db"))}`,
];
spawnSync("taskset", ["-cp", "0", String(process.pid)]);

function step(name: string): Record<string, unknown> {
  const [command, argv] = onCore("1", process.execPath, [
    "--import",
    "tsx",
    STEP,
    name,
    file,
    root,
    ...overrides,
  ]);
  const run = spawnSync(command, argv, { cwd: REPO, encoding: "utf8", maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`step ${name} failed:\n${run.stderr}`);
  const line = run.stdout.split("\n").find((l) => l.startsWith("{"));
  process.stderr.write(`${name} done: ${line}\n`);
  return JSON.parse(line as string);
}

/** `salescast forecast --out` in a process of its own: wall time from spawn to exit. */
function exportCsv(): { seconds: number; lines: number; mib: number } {
  const out = join(root, "forecasts.csv");
  const [command, argv] = onCore("1", process.execPath, [
    "--import",
    "tsx",
    CLI,
    "forecast",
    "--out",
    out,
    ...pathOverrides,
    ...overrides,
  ]);
  const started = performance.now();
  const run = spawnSync(command, argv, { cwd: REPO, encoding: "utf8" });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`salescast forecast --out failed:\n${run.stderr}`);
  const lines = readFileSync(out, "utf8").split("\n").length - 2;
  return { seconds, lines, mib: statSync(out).size / 2 ** 20 };
}

/** GET /api/forecast as CSV from a running server: seconds to the first byte and to the last, and rows. */
async function streamCsv(): Promise<{
  ready_s: number;
  first_byte_s: number;
  seconds: number;
  lines: number;
}> {
  const [command, argv] = onCore("1", process.execPath, serveArgs(PORT, [...pathOverrides, ...overrides]));
  const spawned = performance.now();
  const server = spawn(command, argv, { cwd: REPO, stdio: ["ignore", "ignore", "inherit"] });
  try {
    await waitUntilUp(PORT, server, 600_000);
    const ready = (performance.now() - spawned) / 1000;
    const started = performance.now();
    const response = await fetch(`http://127.0.0.1:${PORT}/api/forecast`, {
      headers: { accept: "text/csv" },
    });
    if (!response.ok || !response.body) throw new Error(`GET /api/forecast answered ${response.status}`);
    let firstByte = Number.NaN;
    let newlines = 0;
    for await (const chunk of response.body) {
      if (Number.isNaN(firstByte)) firstByte = (performance.now() - started) / 1000;
      for (const byte of chunk as Uint8Array) if (byte === 10) newlines++;
    }
    return {
      ready_s: ready,
      first_byte_s: firstByte,
      seconds: (performance.now() - started) / 1000,
      lines: newlines - 1,
    };
  } finally {
    server.kill("SIGTERM");
  }
}

let finished = false;
try {
  const rows = count * length;
  const ingest = step("ingest");
  const train = step("train");
  const predict = step("predict");
  const csv = exportCsv();
  process.stderr.write(`forecast --out done: ${JSON.stringify(csv)}\n`);
  const stream = await streamCsv();
  const expectedLines = count * HORIZON;
  if (csv.lines !== expectedLines || stream.lines !== expectedLines) {
    throw new Error(
      `expected ${expectedLines} forecast rows, got ${csv.lines} (file) and ${stream.lines} (HTTP)`,
    );
  }
  const bySize = predict.seconds_by_batch_size as Record<string, number>;
  const [bestSize, bestSeconds] = Object.entries(bySize).sort((a, b) => a[1] - b[1])[0];
  const table = [
    ["step", "seconds", "peak RSS MiB", "note"],
    [
      "ingest",
      (ingest.seconds as number).toFixed(1),
      (ingest.peak_rss_mib as number).toFixed(0),
      `${(rows / (ingest.seconds as number) / 1e6).toFixed(2)} M rows/s`,
    ],
    ["train + register", (train.seconds as number).toFixed(1), (train.peak_rss_mib as number).toFixed(0), ""],
    [
      "network forecast, every series",
      bestSeconds.toFixed(1),
      (predict.peak_rss_mib as number).toFixed(0),
      `batch ${bestSize}; ${Object.entries(bySize)
        .map(([size, s]) => `${size}: ${s.toFixed(1)} s`)
        .join(", ")}`,
    ],
    ["forecast --out CSV", csv.seconds.toFixed(1), "", `${csv.lines} rows, ${csv.mib.toFixed(0)} MiB`],
    [
      "GET /api/forecast CSV",
      stream.seconds.toFixed(1),
      "",
      `first byte ${stream.first_byte_s.toFixed(2)} s; server ready in ${stream.ready_s.toFixed(1)} s`,
    ],
  ];
  console.log(`${count} series × ${length} days (${rows} rows), ${overrides.join(" ")}`);
  for (const row of table)
    console.log(`${row[0].padEnd(32)}${row[1].padStart(9)}${row[2].padStart(14)}  ${row[3]}`);
  for (const result of [
    ingest,
    train,
    predict,
    { step: "forecast_out", ...csv },
    { step: "get_csv", ...stream },
  ]) {
    console.log(JSON.stringify({ bench: "many-series", series: count, length, ...result }));
  }
  finished = true;
} finally {
  // a failed run keeps its model for a look
  if (finished) rmSync(root, { recursive: true, force: true });
  else process.stderr.write(`the run's models and files are kept in ${root}\n`);
}
