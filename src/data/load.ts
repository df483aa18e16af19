import type { DataConfig } from "../config/index.ts";
import { dayRange, toRegularSeries } from "./aggregate.ts";
import type { CsvFormat } from "./columns.ts";
import { DataError } from "./errors.ts";
import { isCoarser, periodStartDay, resolveFrequency } from "./frequency.ts";
import { fillGaps } from "./gaps.ts";
import { readObservations, type SeriesObservations } from "./ingest.ts";
import { type IngestProgress, ingestProgress } from "./ingest-progress.ts";
import { dropPartialLastPeriods } from "./partial.ts";
import type { Frequency, Series } from "./types.ts";

export type LoadConfig = Pick<
  DataConfig,
  | "csv_path"
  | "format"
  | "date_column"
  | "series_column"
  | "value_column"
  | "frequency"
  | "window_size"
  | "horizon"
  | "short_series"
> &
  // optional, so that callers written before it keep the default (zero, with a warning)
  Partial<Pick<DataConfig, "fill_missing">>;

export interface LoadOptions {
  /** Points a backtest keeps out at the end of each series; a series must also have room for them. */
  holdout?: number;
  /** Progress while the file is read; by default a line on stderr for large files. */
  progress?: IngestProgress;
}

export interface LoadedSeries {
  series: Series[];
  frequency: Frequency;
  format: CsvFormat;
  /** One line per problem worked around: gaps filled, partial last periods dropped, short series skipped. */
  warnings: string[];
}

/**
 * CSV file -> regular series sorted by id, all of one frequency, each long enough to give a window.
 * A long file's missing periods are filled per data.fill_missing; a transactions file's empty day is 0.
 */
export async function loadSeries(config: LoadConfig, options: LoadOptions = {}): Promise<LoadedSeries> {
  const file = config.csv_path;
  const progress = options.progress ?? ingestProgress(file);
  const table = await readObservations(file, {
    format: config.format,
    columns: { date: config.date_column, series: config.series_column, value: config.value_column },
    onProgress: progress.onProgress,
  }).finally(progress.finish);
  const long = table.format === "long";
  const observed = [...table.bySeries.values()];
  // a transactions file is one observation period: its dates are read together, sparse categories or not
  const daysBySeries = long ? observed.map(({ days }) => days) : [concatDays(observed)];
  const resolved = resolveFrequency(config.frequency, daysBySeries, file);
  const { frequency } = resolved;
  // the period of one row: a transactions row is a day's sale when its dates read as no frequency
  const rowFrequency = resolved.dates ?? (long ? frequency : "D");
  const gaps = long
    ? fillGaps(table.bySeries, rowFrequency, config.fill_missing ?? "zero", file)
    : { bySeries: table.bySeries, warnings: [] };
  let all = toRegularSeries(gaps.bySeries, frequency, long ? "own" : "shared");
  const warnings = [...gaps.warnings];
  if (isCoarser(frequency, rowFrequency)) {
    const lastRowDay = lastDays(table.bySeries, long);
    const partial = dropPartialLastPeriods(
      all,
      (one) => periodStartDay(1, rowFrequency, lastRowDay(one.id)) - 1,
    );
    all = partial.series;
    warnings.push(...partial.warnings);
  }
  const kept = keepLongSeries(all, config, options.holdout ?? 0);
  warnings.push(...kept.warnings);
  return { series: kept.series, frequency, format: table.format, warnings };
}

/** Every series' days in one array. */
function concatDays(observed: readonly SeriesObservations[]): Float64Array {
  const all = new Float64Array(observed.reduce((sum, { days }) => sum + days.length, 0));
  let offset = 0;
  for (const { days } of observed) {
    all.set(days, offset);
    offset += days.length;
  }
  return all;
}

/** The last row's day of each series (long), or of the whole file for every series (transactions). */
function lastDays(bySeries: ReadonlyMap<string, SeriesObservations>, long: boolean): (id: string) => number {
  const lastOf = (id: string) => dayRange((bySeries.get(id) as SeriesObservations).days)[1];
  const fileLast = dayRange([...bySeries.keys()].map(lastOf))[1];
  return (id) => (long ? lastOf(id) : fileLast);
}

/**
 * A series needs window_size + horizon points for one training window, plus the holdout in a backtest.
 * Shorter ones are skipped with a warning or are an error, as short_series says; none left is an error.
 */
export function keepLongSeries(
  series: readonly Series[],
  config: Pick<DataConfig, "window_size" | "horizon" | "short_series">,
  holdout = 0,
): { series: Series[]; warnings: string[] } {
  const minimum = config.window_size + config.horizon + holdout;
  const rule = `window_size + horizon${holdout > 0 ? " + holdout" : ""} = ${minimum}`;
  const kept: Series[] = [];
  const warnings: string[] = [];
  for (const one of series) {
    const length = one.values.length;
    if (length >= minimum) {
      kept.push(one);
      continue;
    }
    const problem = `series "${one.id}" has ${length} periods, fewer than ${rule}`;
    if (config.short_series === "error") throw new DataError(`${problem} (data.short_series: error)`);
    warnings.push(`${problem}; skipped`);
  }
  if (kept.length === 0) throw new DataError(`no series has at least ${rule} periods`);
  return { series: kept, warnings };
}
