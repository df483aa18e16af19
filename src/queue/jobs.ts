import type { StatisticalModelName } from "../forecasters/statistical-models.ts";
import type { SeriesUnit } from "../train/series-units.ts";
import type { PackedModels } from "./packed-models.ts";

/** The BullMQ queue of work units that `salescast worker` processes take from. */
export const UNITS_QUEUE = "salescast-units";

/** A statistical member's histories to forecast, as JSON (`values` packed, `lengths[i]` per history). */
export interface StatisticalJob {
  model: StatisticalModelName;
  season: number;
  horizon: number;
  values: number[];
  lengths: number[];
}

/** The forecasts of a statistical job, `horizon` per history in order, and how many fell back. */
export interface StatisticalJobResult {
  forecasts: number[];
  fallbacks: number;
}

/** Every kind of work unit by its job name: what a job carries and what it returns. */
export interface UnitJobs {
  /** A few series of a per-series training, each trained into its own model. */
  series_models: { data: SeriesUnit; result: PackedModels };
  /** Histories a statistical member fits and forecasts (cross-validation origins and series ends). */
  statistical: { data: StatisticalJob; result: StatisticalJobResult };
}

export type UnitJobName = keyof UnitJobs;

/** A job as a worker thread receives it. */
export type UnitTask = { [K in UnitJobName]: { name: K; data: UnitJobs[K]["data"] } }[UnitJobName];
