/**
 * Ingest speed on a synthetic long file (bench/synthetic.ts), in rows per second: the CSV parser alone beside
 * csv-parse (the parser it replaced) in the same run, then readObservations (parse + fields checked + rows
 * stored), then loadSeries (regular series, gaps, checks), each with the process' peak RSS after it:
 *
 *     npm run bench:ingest [-- --series 10000 --length 730 --rounds 2]
 *
 * The file is generated once into the system's temp folder and reused. The benchmark pins itself to core 1
 * when taskset exists; the machine may be shared, so parsers alternate for `rounds` rounds and the median is
 * given beside the best.
 */
import { spawnSync } from "node:child_process";
import { createReadStream, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parse } from "csv-parse";
import { readCsvRecords } from "../src/data/csv.ts";
import { readObservations } from "../src/data/ingest.ts";
import { loadSeries } from "../src/data/load.ts";
import { DEFAULT_SYNTHETIC, writeSyntheticCsv } from "./synthetic.ts";

const { values: args } = parseArgs({
  options: { series: { type: "string" }, length: { type: "string" }, rounds: { type: "string" } },
});
const series = Number(args.series ?? 10_000);
const length = Number(args.length ?? 730);
const rounds = Number(args.rounds ?? 2);
const pinned = spawnSync("taskset", ["-a", "-pc", "1", String(process.pid)]).status === 0;

const file = join(tmpdir(), `salescast-synthetic-${series}x${length}-seed42.csv`);
if (!existsSync(file)) writeSyntheticCsv(file, { ...DEFAULT_SYNTHETIC, series, length });
const rows = series * length;
const LONG = { format: "long", columns: { date: "date", series: "series_id", value: "value" } } as const;
const LOAD = {
  csv_path: file,
  format: "long",
  date_column: "date",
  series_column: "series_id",
  value_column: "value",
  frequency: "auto",
  window_size: 28,
  horizon: 14,
  short_series: "skip",
  fill_missing: "zero",
} as const;

async function csvParseRecords(): Promise<number> {
  const parser = createReadStream(file).pipe(
    parse({ bom: true, info: true, skip_empty_lines: true, trim: true }),
  );
  let count = 0;
  for await (const _ of parser) count++;
  return count;
}

async function ownRecords(): Promise<number> {
  let count = 0;
  await readCsvRecords(file, () => {
    count++;
  });
  return count;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const began = performance.now();
  await run();
  return (performance.now() - began) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const rate = (seconds: number) => rows / seconds / 1e6;
const peakMiB = () => process.resourceUsage().maxRSS / 1024;

const seconds: Record<string, number[]> = { "csv-parse": [], readCsvRecords: [] };
for (let round = 0; round < rounds; round++) {
  seconds["csv-parse"].push(await timed(csvParseRecords));
  seconds.readCsvRecords.push(await timed(ownRecords));
}
const results: Record<string, unknown>[] = [];
for (const [name, times] of Object.entries(seconds)) {
  results.push({ step: name, seconds: median(times), best: Math.min(...times), peak_rss_mib: peakMiB() });
}
results.push({ step: "readObservations", seconds: await timed(() => readObservations(file, LONG)) });
results[results.length - 1].peak_rss_mib = peakMiB();
results.push({ step: "loadSeries", seconds: await timed(() => loadSeries(LOAD)) });
results[results.length - 1].peak_rss_mib = peakMiB();

console.log(
  `${file}: ${rows} rows, ${series} series × ${length}; ${pinned ? "pinned to core 1" : "not pinned"}`,
);
console.log("step               s (median)   M rows/s   peak RSS so far, MiB");
for (const r of results) {
  const s = r.seconds as number;
  console.log(
    `${String(r.step).padEnd(18)} ${s.toFixed(2).padStart(10)} ${rate(s).toFixed(2).padStart(10)} ${(r.peak_rss_mib as number).toFixed(0).padStart(14)}`,
  );
}
const ratio = median(seconds["csv-parse"]) / median(seconds.readCsvRecords);
console.log(`readCsvRecords is ${ratio.toFixed(1)}x csv-parse (medians of ${rounds})`);
for (const r of results)
  console.log(
    JSON.stringify({ bench: "ingest", rows, series, length, ...r, m_rows_per_s: rate(r.seconds as number) }),
  );
