import type { Artifact } from "../artifact/index.ts";
import type { Config, Frequency } from "../config/index.ts";
import type { Series, SplitOptions } from "../data/index.ts";
import type { SeriesFeatures } from "../features/index.ts";
import { fitPanel } from "./panel.ts";
import type { EpochProgress } from "./progress.ts";
import { saveEnsembleModel } from "./save.ts";

/** What every model of a training shares: the data's frequency and season, and the split. */
export interface GroupSetting {
  config: Config;
  frequency: Frequency;
  season: number;
  split: SplitOptions;
  /** Where the model folders are written. */
  root: string;
  progress?: (label: string, maxEpochs: number) => EpochProgress;
}

/** One model of a training: its name (`global`, `series:<id>`), its series and their features. */
export interface Group {
  name: string;
  series: Series[];
  features?: SeriesFeatures;
}

export interface TrainedGroup {
  artifact: Artifact;
  series: Series[];
  seconds: number;
}

/** Fits the members on the group's series, scores and combines them, and saves the model as one folder. */
export async function fitAndSaveGroup(group: Group, setting: GroupSetting): Promise<TrainedGroup> {
  const started = performance.now();
  const { config, frequency, season, split, progress } = setting;
  const { name, series, features } = group;
  const panel = await fitPanel(
    series,
    {
      config,
      frequency,
      season,
      horizon: split.horizon,
      split,
      features,
      progress: progress && ((member, maxEpochs) => progress(`${name} ${member}`, maxEpochs)),
    },
    {
      members: config.model.members,
      ensemble: config.model.ensemble,
      windows: config.train.cv_windows,
      step: split.horizon,
      cvSeries: config.train.cv_series,
    },
  );
  const artifact = saveEnsembleModel(setting.root, series, panel, config, {
    name,
    scope: config.train.scope,
    frequency,
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
  return { artifact, series, seconds: (performance.now() - started) / 1000 };
}
