import type { Config } from "../config/index.ts";
import { DataError, loadSeries, type Series, type SplitOptions } from "../data/index.ts";
import { buildSeriesFeatures, loadFeatureSources } from "../features/index.ts";
import { workerCount } from "../forecasters/statistical.ts";
import { fitAndSaveGroup, type TrainedGroup } from "./fit-group.ts";
import { type EpochProgress, epochProgress } from "./progress.ts";
import { resolveSeason } from "./season.ts";
import { inProcessUnits, seriesUnits } from "./series-units.ts";
import { threadedUnits } from "./unit-threads.ts";

export interface TrainRunResult {
  models: TrainedGroup[];
  warnings: string[];
}

export interface TrainRunOptions {
  /** A per-series run's work units: how many are done of all, after each one. */
  onUnits?: (done: number, total: number) => void;
  /** A progress display per trained network, by label (the model's name and the member's). */
  progress?: (label: string, maxEpochs: number) => EpochProgress;
}

/** Keeps the series that `train.series` lists (all when empty); a listed id that the data lacks is an error. */
export function selectSeries(all: Series[], wanted: readonly string[]): Series[] {
  if (wanted.length === 0) return all;
  const byId = new Map(all.map((s) => [s.id, s]));
  const missing = wanted.filter((id) => !byId.has(id));
  if (missing.length > 0) {
    const known = all.map((s) => s.id).join(", ");
    throw new DataError(
      `train.series names unknown series ${missing.map((id) => `"${id}"`).join(", ")} (known: ${known})`,
    );
  }
  return wanted.map((id) => byId.get(id) as Series);
}

/**
 * The `salescast train` job: load the configured CSV, then fit the members over the chosen series (one global
 * model, or one per series, as `train.scope` says), score them by cross-validation, combine them, and save
 * each model as one version. A per-series training runs in work units of `queue.unit_series` series: on the
 * queue's workers when `queue.url` is set, else here, on `train.workers` threads when there are units enough.
 */
export async function trainFromConfig(
  config: Config,
  options: TrainRunOptions = {},
): Promise<TrainRunResult> {
  const progress = options.progress ?? epochProgress;
  const loaded = await loadSeries(config.data);
  const series = selectSeries(loaded.series, config.train.series);
  const season = resolveSeason(config.data.season, loaded.frequency);
  const split: SplitOptions = {
    windowSize: config.data.window_size,
    horizon: config.data.horizon,
    validationFraction: config.data.validation_fraction,
  };
  // Features reach the horizon past each series' end (its stored forecast): a covariates file whose
  // known-future rows stop short is an error here, naming the series and the missing dates.
  const sources = await loadFeatureSources(config.data, loaded.frequency, series);
  const setting = { config, frequency: loaded.frequency, season, split };
  if (config.train.scope === "global") {
    const features = sources ? buildSeriesFeatures(sources, series, split.horizon) : undefined;
    const model = await fitAndSaveGroup(
      { name: "global", series, features },
      { ...setting, root: config.paths.artifacts, progress },
    );
    return { models: [model], warnings: loaded.warnings };
  }
  const units = seriesUnits(series, setting, config.queue.unit_series);
  const threads = Math.min(workerCount(config.train.workers), units.length);
  const root = config.paths.artifacts;
  const runner = config.queue.url
    ? await (await import("../queue/index.ts")).openQueueRunner(config.queue, root)
    : threads > 1
      ? threadedUnits(root, threads)
      : inProcessUnits(root, progress);
  try {
    if (units.length > 0) options.onUnits?.(0, units.length);
    const trained = await runner.run(units, (done) => options.onUnits?.(done, units.length));
    return { models: trained.flat(), warnings: loaded.warnings };
  } finally {
    await runner.close();
  }
}
