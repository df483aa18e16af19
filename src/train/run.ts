import type { Artifact } from "../artifact/index.ts";
import type { Config } from "../config/index.ts";
import { DataError, loadSeries, type Series } from "../data/index.ts";
import { type EpochProgress, epochProgress } from "./progress.ts";
import { saveTrainedModel } from "./save.ts";
import { resolveSeason } from "./season.ts";
import { type TrainedModel, trainModel } from "./train-model.ts";

export interface TrainRunResult {
  models: { artifact: Artifact; trained: TrainedModel }[];
  warnings: string[];
}

export interface TrainRunOptions {
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
 * The `salescast train` job: load the configured CSV, then train and save one global model over the chosen
 * series, or one model per series, as `train.scope` says.
 */
export async function trainFromConfig(
  config: Config,
  options: TrainRunOptions = {},
): Promise<TrainRunResult> {
  const loaded = await loadSeries(config.data);
  const series = selectSeries(loaded.series, config.train.series);
  const season = resolveSeason(config.data.season, loaded.frequency);
  const progress = options.progress ?? epochProgress;
  const groups =
    config.train.scope === "global"
      ? [{ name: "global", series }]
      : series.map((one) => ({ name: `series:${one.id}`, series: [one] }));
  const models = groups.map(({ name, series: group }) => {
    const bar = progress(name, config.train.max_epochs);
    try {
      const trained = trainModel(group, config, { season, onEpoch: (r) => bar.onEpoch(r) });
      const artifact = saveTrainedModel(config.paths.artifacts, trained, config, {
        name,
        scope: config.train.scope,
        frequency: loaded.frequency,
        season,
      });
      return { artifact, trained };
    } finally {
      bar.stop();
    }
  });
  return { models, warnings: loaded.warnings };
}
