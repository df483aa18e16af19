import type { Artifact } from "../artifact/index.ts";
import type { Config } from "../config/index.ts";
import { DataError, loadSeries, type Series, type SplitOptions } from "../data/index.ts";
import { buildSeriesFeatures, loadFeatureSources, selectFeatures } from "../features/index.ts";
import { fitPanel, type Panel } from "./panel.ts";
import { type EpochProgress, epochProgress } from "./progress.ts";
import { saveEnsembleModel } from "./save.ts";
import { resolveSeason } from "./season.ts";

export interface TrainRunResult {
  models: { artifact: Artifact; panel: Panel; series: Series[]; seconds: number }[];
  warnings: string[];
}

export interface TrainRunOptions {
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
 * each model as one version.
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
  const features = sources ? buildSeriesFeatures(sources, series, split.horizon) : undefined;
  const groups =
    config.train.scope === "global"
      ? [{ name: "global", series, indices: series.map((_, s) => s) }]
      : series.map((one, s) => ({ name: `series:${one.id}`, series: [one], indices: [s] }));
  const models: TrainRunResult["models"] = [];
  for (const { name, series: group, indices } of groups) {
    const started = performance.now();
    const context = {
      config,
      frequency: loaded.frequency,
      season,
      horizon: split.horizon,
      split,
      features: features && selectFeatures(features, indices),
      progress: (member: string, maxEpochs: number) => progress(`${name} ${member}`, maxEpochs),
    };
    const panel = await fitPanel(group, context, {
      members: config.model.members,
      ensemble: config.model.ensemble,
      windows: config.train.cv_windows,
      step: split.horizon,
    });
    const artifact = saveEnsembleModel(config.paths.artifacts, group, panel, config, {
      name,
      scope: config.train.scope,
      frequency: loaded.frequency,
      season,
      split,
      features: features && {
        names: features.layout.names,
        known_future: features.layout.knownFuture,
        covariates: features.layout.covariates,
        mean: features.scaling.mean,
        std: features.scaling.std,
        calendar: config.data.calendar,
        holidays: config.data.holidays,
      },
    });
    models.push({ artifact, panel, series: group, seconds: (performance.now() - started) / 1000 });
  }
  return { models, warnings: loaded.warnings };
}
