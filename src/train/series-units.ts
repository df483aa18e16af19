import { type Config, type Frequency, storableConfig } from "../config/index.ts";
import type { Series, SplitOptions } from "../data/index.ts";
import { buildSeriesFeatures, loadFeatureSources } from "../features/index.ts";
import { fitAndSaveGroup, type GroupSetting, type TrainedGroup } from "./fit-group.ts";

/**
 * A work unit of a per-series training: a few series, each trained into a model of its own. Plain data that
 * survives JSON, so it can wait in a queue and be trained on another machine.
 */
export interface SeriesUnit {
  index: number;
  config: Config;
  frequency: Frequency;
  season: number;
  split: SplitOptions;
  series: { id: string; start: string; values: number[] }[];
}

/** Runs units and gives each one's models, in unit order: in this process, or on a queue's workers. */
export interface UnitRunner {
  /** `onDone` hears how many units are done after each one. */
  run(units: readonly SeriesUnit[], onDone?: (done: number) => void): Promise<TrainedGroup[][]>;
  close(): Promise<void>;
}

/** The series cut into units of `size`, in order. */
export function seriesUnits(
  series: readonly Series[],
  setting: Omit<GroupSetting, "root" | "progress">,
  size: number,
): SeriesUnit[] {
  const units: SeriesUnit[] = [];
  for (let start = 0; start < series.length; start += size) {
    units.push({
      index: units.length,
      // A unit waits in Redis: it carries no secret (it never opens the registry or the queue).
      config: storableConfig(setting.config),
      frequency: setting.frequency,
      season: setting.season,
      split: setting.split,
      series: series.slice(start, start + size).map(({ id, start, values }) => ({
        id,
        start,
        values: Array.from(values),
      })),
    });
  }
  return units;
}

/**
 * Trains each series of the unit into its own model (`series:<id>`) saved below `root`. Each model's
 * features are scaled on its own series, so a model is the same whichever unit its series fell in.
 */
export async function trainSeriesUnit(
  unit: SeriesUnit,
  root: string,
  progress?: GroupSetting["progress"],
): Promise<TrainedGroup[]> {
  const { config, frequency, season, split } = unit;
  const series: Series[] = unit.series.map(({ id, start, values }) => ({
    id,
    frequency,
    start,
    values: Float64Array.from(values),
  }));
  const sources = await loadFeatureSources(config.data, frequency, series);
  const trained: TrainedGroup[] = [];
  for (const one of series) {
    const features = sources ? buildSeriesFeatures(sources, [one], split.horizon) : undefined;
    trained.push(
      await fitAndSaveGroup(
        { name: `series:${one.id}`, series: [one], features },
        { config, frequency, season, split, root, progress },
      ),
    );
  }
  return trained;
}

/** Units run one after another in this process, their statistical members on `train.workers` threads. */
export function inProcessUnits(root: string, progress?: GroupSetting["progress"]): UnitRunner {
  return {
    async run(units, onDone) {
      const results: TrainedGroup[][] = [];
      for (const unit of units) {
        results.push(await trainSeriesUnit(unit, root, progress));
        onDone?.(results.length);
      }
      return results;
    },
    async close() {},
  };
}
