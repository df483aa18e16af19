import type { Config, Frequency } from "../config/index.ts";
import type { Series, SplitOptions } from "../data/index.ts";
import type { SeriesFeatures } from "../features/index.ts";
import type { Band } from "../intervals/index.ts";
import type { EpochProgress } from "../train/progress.ts";

/** The forecasters that can be combined, by their config names (`model.members`). */
export type MemberName = Config["model"]["members"][number];

/** What every member is fitted with. */
export interface FitContext {
  config: Config;
  frequency: Frequency;
  /** Seasonal period of the data (seasonal naive, MASE, the statistical members' season). */
  season: number;
  horizon: number;
  /**
   * Each series' training and validation parts (`splitBounds`): cross-validation origins lie in the validation
   * part, and a member forecasts them with what it learned before that part only.
   */
  split: SplitOptions;
  /**
   * The features of each fitted series (same order), covering its periods and the horizon past its end; none
   * when the config asks for none. Members that cannot use them ignore them.
   */
  features?: SeriesFeatures;
  /** Where a member that trains by epochs reports them (none: silent). */
  progress?: (member: string, maxEpochs: number) => EpochProgress;
}

/** One forecast to make: H steps after the end of `history`, the first values of fitted series `seriesIndex`. */
export interface ForecastRequest {
  seriesIndex: number;
  history: Float64Array;
}

/** Forecasts in sales units (not yet clipped), one per request, in order (on other threads for some members). */
export type ForecastFunction = (
  requests: readonly ForecastRequest[],
  horizon: number,
) => Promise<Float64Array[]>;

/** Bands by level name (`"80"`) for each request, in sales units (not yet clipped), at the asked levels. */
export type BandFunction = (
  requests: readonly ForecastRequest[],
  horizon: number,
  levels: readonly number[],
) => Promise<Record<string, Band>[]>;

/** A member that forecasts from a fixed-length window alone, exported to ONNX for the window routes. */
export interface WindowModel {
  windowSize: number;
  /** The ONNX graph `input` [batch, windowSize] -> `output` [batch, horizon], on scaled values. */
  onnx(): Uint8Array;
  /** The network spec or the linear map's shape, saved in meta.json. */
  spec: { architecture: string } & Record<string, unknown>;
  /** The std that scales the window ending `history` of fitted series `seriesIndex` (what outputs are in). */
  inputStd(seriesIndex: number, history: Float64Array): number;
}

export interface FittedMember {
  name: MemberName;
  /** Learned from each series' training part only: forecasts the cross-validation origins. */
  beforeValidation: ForecastFunction;
  /** Learned from all of each series: forecasts from its end. */
  onAll: ForecastFunction;
  window?: WindowModel;
  /** With `model.quantile_head`: the bands of a network's quantile head, from the same two fits. */
  headBands?: { beforeValidation: BandFunction; onAll: BandFunction };
  /** Training facts to report (epochs, best epoch, windows). */
  training?: Record<string, number>;
}

/** One forecaster: fitted on a set of series (their fitting parts only), then asked for forecasts. */
export interface Member {
  name: MemberName;
  fit(series: readonly Series[], context: FitContext): FittedMember;
}
