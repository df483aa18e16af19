import type { DataConfig } from "../config/index.ts";
import { toRegularSeries } from "./aggregate.ts";
import type { CsvFormat } from "./columns.ts";
import { DataError } from "./errors.ts";
import { inferFrequency } from "./frequency.ts";
import { readObservations } from "./ingest.ts";
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
>;

export interface LoadOptions {
  /** Points a backtest keeps out at the end of each series; a series must also have room for them. */
  holdout?: number;
}

export interface LoadedSeries {
  series: Series[];
  frequency: Frequency;
  format: CsvFormat;
  /** One line per series skipped as too short (short_series: skip). */
  warnings: string[];
}

/** CSV file -> regular series sorted by id, all of one frequency, each long enough to give a window. */
export async function loadSeries(config: LoadConfig, options: LoadOptions = {}): Promise<LoadedSeries> {
  const table = await readObservations(config.csv_path, {
    format: config.format,
    columns: { date: config.date_column, series: config.series_column, value: config.value_column },
  });
  const frequency =
    config.frequency === "auto"
      ? inferFrequency(
          [...table.bySeries.values()].map(({ days }) => days),
          config.csv_path,
        )
      : config.frequency;
  const all = toRegularSeries(table.bySeries, frequency, table.format === "transactions" ? "shared" : "own");
  const { series, warnings } = keepLongSeries(all, config, options.holdout ?? 0);
  return { series, frequency, format: table.format, warnings };
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
