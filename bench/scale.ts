/**
 * Many series on one machine: for synthetic daily files of 1k and 10k series × 730 days (bench/synthetic.ts,
 * seed 42), the wall time and peak RSS of ingest, fit, cross-validation forecasts and the full-horizon forecast of
 * every series, each member separately in its own process; `mstl` (augurs) on one worker is the reference in
 * the same run. With `--workers 1,2` each member runs once per worker count (`train.workers`), one worker
 * pinned to core 1 and N workers to cores 0..N-1, and the table gives each run's speedup over one worker.
 * Prints a table and JSON lines:
 *
 *     npm run bench:scale [-- --series 1000,10000 --members linear,network,mstl,ets,seasonal_naive --workers 1]
 *         [--plot FILE.svg]
 *
 * With `--plot`, it also draws the growth of total time and peak RSS with the series count, one line per member
 * (and worker count), on log-log axes.
 * The machine may be shared: figures are single runs; the ratio to MSTL is the figure to compare.
 */
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { logLogSvg, type PlotLine } from "./plot.ts";
import { canPin, onCore } from "./server-process.ts";
import { DEFAULT_SYNTHETIC, writeSyntheticCsv } from "./synthetic.ts";

const { values: args, positionals: overrides } = parseArgs({
  options: {
    series: { type: "string" },
    members: { type: "string" },
    length: { type: "string" },
    workers: { type: "string" },
    plot: { type: "string" },
  },
  allowPositionals: true,
});
const counts = (args.series ?? "1000,10000").split(",").map(Number);
const members = (args.members ?? "seasonal_naive,linear,network,mstl,ets").split(",");
const length = Number(args.length ?? 730);
const workerCounts = (args.workers ?? "1").split(",").map(Number);
const coresFor = (workers: number) => (workers === 1 ? "1" : `0-${workers - 1}`);
const REFERENCE = "mstl";
const TSX = join(import.meta.dirname, "..", "node_modules", ".bin", "tsx");

interface Row {
  member: string;
  workers: number;
  series: number;
  ingest_s: number;
  fit_s: number;
  cv_s: number;
  forecast_s: number;
  total_s: number;
  peak_rss_mib: number;
}

// vs_mstl is null when MSTL was not among the members run; speedup when one worker was not
const rows: (Row & { rows: number; vs_mstl: number | null; speedup: number | null })[] = [];
for (const count of counts) {
  const file = join(tmpdir(), `salescast-synthetic-${count}x${length}-seed42.csv`);
  if (!existsSync(file)) writeSyntheticCsv(file, { ...DEFAULT_SYNTHETIC, series: count, length });
  const results: Row[] = [];
  for (const member of members) {
    for (const workers of workerCounts) {
      const [command, argv] = onCore(coresFor(workers), TSX, [
        join(import.meta.dirname, "scale-member.ts"),
        file,
        member,
        ...overrides,
        `train.workers=${workers}`,
      ]);
      const run = spawnSync(command, argv, { encoding: "utf8", maxBuffer: 1 << 26 });
      if (run.status !== 0) throw new Error(`${member} on ${count} series failed:\n${run.stderr}`);
      const line = run.stdout.split("\n").find((l) => l.startsWith("{"));
      results.push({ ...JSON.parse(line as string), workers });
      process.stderr.write(`${count} series: ${member} on ${workers} worker(s) done\n`);
    }
  }
  const oneWorker = (member: string) => results.find((r) => r.member === member && r.workers === 1);
  const reference = oneWorker(REFERENCE)?.total_s ?? Number.NaN;
  for (const r of results) {
    const single = oneWorker(r.member);
    rows.push({
      ...r,
      rows: count * length,
      vs_mstl: Number.isNaN(reference) ? null : r.total_s / reference,
      speedup: single ? single.total_s / r.total_s : null,
    });
  }
}

console.log(
  `synthetic daily series × ${length} days, horizon 14, season 7; ${canPin ? "one worker pinned to core 1, N to cores 0..N-1" : "not pinned"}`,
);
console.log(
  "| series | member | workers | ingest s | fit s | cv s | forecast s | total s | vs mstl | speedup | peak RSS MiB |",
);
console.log("|---|---|---|---|---|---|---|---|---|---|---|");
for (const r of rows) {
  const cells = [
    r.series,
    r.member,
    r.workers,
    r.ingest_s,
    r.fit_s,
    r.cv_s,
    r.forecast_s,
    r.total_s,
    r.vs_mstl,
    r.speedup,
    r.peak_rss_mib,
  ];
  console.log(
    `| ${cells.map((c) => (c === null ? "n/a" : typeof c === "number" && !Number.isInteger(c) ? c.toFixed(2) : c)).join(" | ")} |`,
  );
}
for (const r of rows) console.log(JSON.stringify({ bench: "scale", length, ...r }));

if (args.plot) {
  const lineOf = (value: (r: Row) => number): PlotLine[] =>
    [...new Set(rows.map((r) => `${r.member}\u0000${r.workers}`))].map((key) => {
      const [member, workers] = key.split("\u0000");
      const mine = rows.filter((r) => r.member === member && r.workers === Number(workers));
      return {
        name: workerCounts.length > 1 ? `${member} × ${workers}` : member,
        points: mine.map((r): [number, number] => [r.series, value(r)]),
      };
    });
  const svg = logLogSvg(
    [
      { title: "total time", yLabel: "seconds", lines: lineOf((r) => r.total_s) },
      { title: "peak memory", yLabel: "peak RSS, MiB", lines: lineOf((r) => r.peak_rss_mib) },
    ],
    `series (× ${length} days)`,
    "Total time and peak RSS of each member against the series count, log-log",
  );
  writeFileSync(args.plot, svg);
  process.stderr.write(`plot written to ${args.plot}\n`);
}
