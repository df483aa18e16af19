/**
 * A seeded generator of synthetic sales in the long format (`series_id,date,value`, one row per series and
 * period, no gaps), for benchmarks at scale:
 *
 *     npx tsx bench/synthetic.ts --out FILE.csv [--series 1000] [--length 730] [--frequency D] [--season 7]
 *         [--trend 0.3] [--noise 0.2] [--intermittent 0.1] [--seed 42]
 *
 * Each series has a level drawn log-uniformly over four orders of magnitude (1 to 10,000), a weekly-style
 * seasonal profile of period `season`, a linear trend of up to `trend` times its level over its length, and
 * multiplicative noise; an `intermittent` share of the series sells on few periods only (zeros elsewhere).
 * The file is written in chunks (never held whole) to a temporary name, then renamed.
 */
import { closeSync, openSync, renameSync, writeSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { formatIsoDay, parseIsoDay } from "../src/data/dates.ts";
import { periodStartDay } from "../src/data/frequency.ts";
import type { Frequency } from "../src/data/types.ts";
import { Rng } from "../src/model/rng.ts";

export interface SyntheticOptions {
  series: number;
  length: number;
  frequency: Frequency;
  season: number;
  /** Trend over the whole length, as a share of the level (may be negative per series: drawn in ±trend). */
  trend: number;
  /** Standard deviation of the multiplicative noise. */
  noise: number;
  /** Share of series that are intermittent (sell on about one period in five). */
  intermittent: number;
  seed: number;
  start: string;
}

export const DEFAULT_SYNTHETIC: SyntheticOptions = {
  series: 1000,
  length: 730,
  frequency: "D",
  season: 7,
  trend: 0.3,
  noise: 0.2,
  intermittent: 0.1,
  seed: 42,
  start: "2022-01-01",
};

const CHUNK_BYTES = 1 << 20;

/** Writes the file and returns its row count. */
export function writeSyntheticCsv(file: string, options: SyntheticOptions): number {
  const startDay = parseIsoDay(options.start);
  if (startDay === undefined) throw new Error(`--start: "${options.start}" is not an ISO date YYYY-MM-DD`);
  // every series shares one calendar: format each date once
  const dates = Array.from({ length: options.length }, (_, k) =>
    formatIsoDay(periodStartDay(k, options.frequency, startDay)),
  );
  const rng = new Rng(options.seed);
  const width = String(options.series - 1).length;
  const temp = `${file}.${process.pid}.tmp`;
  const fd = openSync(temp, "w");
  let chunk = "series_id,date,value\n";
  try {
    for (let s = 0; s < options.series; s++) {
      const id = `s${String(s).padStart(width, "0")}`;
      const values = syntheticValues(rng, options);
      for (let k = 0; k < options.length; k++) {
        chunk += `${id},${dates[k]},${values[k]}\n`;
        if (chunk.length >= CHUNK_BYTES) {
          writeSync(fd, chunk);
          chunk = "";
        }
      }
    }
    writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
  return options.series * options.length;
}

/** One series' values, rounded to cents (sales amounts), never negative. */
function syntheticValues(rng: Rng, options: SyntheticOptions): Float64Array {
  const level = 10 ** rng.uniformRange(0, 4);
  const slope = (rng.uniformRange(-options.trend, options.trend) * level) / Math.max(1, options.length - 1);
  const profile = Array.from({ length: options.season }, () => 1 + rng.uniformRange(-0.5, 0.5));
  const intermittent = rng.uniform() < options.intermittent;
  const phase = Math.floor(rng.uniform() * options.season);
  const values = new Float64Array(options.length);
  for (let k = 0; k < options.length; k++) {
    if (intermittent && rng.uniform() >= 0.2) continue;
    const expected = Math.max(0, level + slope * k) * profile[(k + phase) % options.season];
    const noisy = expected * Math.max(0, 1 + options.noise * rng.normal());
    values[k] = Math.round(noisy * 100) / 100;
  }
  return values;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      out: { type: "string" },
      series: { type: "string" },
      length: { type: "string" },
      frequency: { type: "string" },
      season: { type: "string" },
      trend: { type: "string" },
      noise: { type: "string" },
      intermittent: { type: "string" },
      seed: { type: "string" },
      start: { type: "string" },
    },
  });
  if (!values.out) usage("--out FILE.csv is required");
  const frequency = values.frequency ?? DEFAULT_SYNTHETIC.frequency;
  if (frequency !== "D" && frequency !== "W" && frequency !== "M") usage("--frequency must be D, W or M");
  const options: SyntheticOptions = {
    series: integer(values.series, "series", DEFAULT_SYNTHETIC.series, 1),
    length: integer(values.length, "length", DEFAULT_SYNTHETIC.length, 1),
    frequency,
    season: integer(values.season, "season", DEFAULT_SYNTHETIC.season, 1),
    trend: number(values.trend, "trend", DEFAULT_SYNTHETIC.trend),
    noise: number(values.noise, "noise", DEFAULT_SYNTHETIC.noise),
    intermittent: number(values.intermittent, "intermittent", DEFAULT_SYNTHETIC.intermittent),
    seed: integer(values.seed, "seed", DEFAULT_SYNTHETIC.seed, 0),
    start: values.start ?? DEFAULT_SYNTHETIC.start,
  };
  if (options.intermittent < 0 || options.intermittent > 1) usage("--intermittent must be in [0, 1]");
  if (options.noise < 0) usage("--noise must be 0 or more");
  const began = performance.now();
  const rows = writeSyntheticCsv(values.out as string, options);
  const seconds = (performance.now() - began) / 1000;
  process.stderr.write(`${values.out}: ${rows} rows in ${seconds.toFixed(1)} s\n`);
}

function integer(text: string | undefined, name: string, fallback: number, minimum: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum) usage(`--${name} must be an integer ≥ ${minimum}`);
  return value;
}

function number(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) usage(`--${name} must be a number`);
  return value;
}

function usage(problem: string): never {
  process.stderr.write(`bench/synthetic.ts: ${problem}\n`);
  process.exit(2);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
