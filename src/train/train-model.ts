import type { Config } from "../config/index.ts";
import {
  buildWindowSets,
  concatWindowSources,
  fitSeriesNormalization,
  iterateBatches,
  type NormalizationMode,
  type NormalizationStats,
  pickWindows,
  type Series,
  type SplitOptions,
  sampleIndices,
  scalerFor,
  type WindowScaler,
  type Windows,
  windowSources,
} from "../data/index.ts";
import { FEATURE_USES, type FeatureUse, featureUseColumns, type SeriesFeatures } from "../features/index.ts";
import { paramShapes } from "../model/architectures.ts";
import { featureCount, inputWidth } from "../model/feature-input.ts";
import { Adam, createNetwork, mseLoss, type Network, type NetworkSpec, Rng } from "../model/index.ts";
import { sizeOf } from "../model/spec.ts";
import { warmStartCovariateHead } from "./covariate-warm-start.ts";
import { chooseRidge, NormalEquations, warmStartHighway } from "./linear-warm-start.ts";
import { type EpochReport, type FitResult, fitNetwork } from "./loop.ts";
import { lossSpread, simplestWithinOneError } from "./one-standard-error.ts";
import { withQuantileHead } from "./quantile-head-fit.ts";
import { type ShardThreads, shardedNetwork, startShardThreads } from "./sharded-network.ts";

export interface TrainedModel {
  /** The saved weights: the refit on every window when `train.refit`, else the first fit. */
  network: Network;
  /**
   * The first fit, trained on the windows before each series' validation part only: what forecasts the
   * cross-validation origins there, so no origin is forecast by weights that saw it.
   */
  firstFit: Network;
  spec: NetworkSpec;
  series: Series[];
  stats: NormalizationStats[];
  normalization: NormalizationMode;
  scaler: WindowScaler;
  fit: FitResult;
  /** Epochs of the refit on training and validation windows (0 without one). */
  refitEpochs: number;
  /** With features: which the network reads, chosen by the first fits' validation losses (one-standard-error rule). */
  featureUse?: FeatureUse;
  trainWindows: number;
  validationWindows: number;
  seconds: number;
}

export interface TrainModelOptions {
  /** Points kept out at the end of each series (a backtest's test set). */
  holdout?: number;
  /** Overrides `model.highway` (the network alone, or on top of the linear map). */
  highway?: boolean;
  /** Points at the end of each series that validate, instead of `data.validation_fraction`'s share. */
  validationLength?: number;
  /** Threads each batch is shared over (data-parallel), this one included; 1 or absent: this thread alone. */
  threads?: number;
  /**
   * Probabilities of a quantile head fitted on each fit's own training windows after it trained
   * (`withQuantileHead`); absent: no head.
   */
  quantiles?: readonly number[];
  /**
   * The features of each series (same order, covering the horizon past its end): the network reads each
   * window's with it (`spec.features`); absent: the sales alone.
   */
  features?: SeriesFeatures;
  /** Time steps (windows of all epochs × window size) below which one thread trains; default MIN_SHARDED_STEPS. */
  minShardedSteps?: number;
  onEpoch?: (report: EpochReport) => void;
}

/** The spec of the network `model.architecture` names, sized by the config. */
export function specFromConfig(config: Config): NetworkSpec {
  const { model, data } = config;
  if (model.architecture === "transformer") {
    const { d_model, heads, ffn, layers } = model.transformer;
    return {
      architecture: "transformer",
      windowSize: data.window_size,
      horizon: data.horizon,
      dModel: d_model,
      heads,
      ffn,
      layers,
      highway: model.highway,
    };
  }
  return {
    architecture: "cnn_lstm",
    windowSize: data.window_size,
    horizon: data.horizon,
    convChannels: model.conv_channels,
    kernelSize: model.kernel_size,
    lstmHidden: model.lstm_hidden,
    lstmLayers: model.lstm_layers,
    highway: model.highway,
  };
}

/** Forecasts scaled windows `[count, windowSize]` -> scaled `[count, horizon]`. */
export type WindowPredictor = (x: Float32Array, count: number) => Float32Array;

/** Forward in chunks through the engine, copying out of its reused output buffer. */
export function enginePredictor(network: Network, chunk: number): WindowPredictor {
  const { horizon } = network.spec;
  const width = inputWidth(network.spec);
  return (rows, count) => {
    const out = new Float32Array(count * horizon);
    for (let start = 0; start < count; start += chunk) {
      const size = Math.min(chunk, count - start);
      const y = network.forward(rows.subarray(start * width, (start + size) * width), size);
      out.set(y.subarray(0, size * horizon), start * horizon);
    }
    return out;
  };
}

interface FitRun {
  network: Network;
  fit: FitResult;
  /** The penalty of the covariate head's warm start (features read), which a refit reuses. */
  covariateRidge?: number;
}

interface FitWindows {
  train: Windows;
  validation: Windows;
  equations: NormalEquations;
  ridge: number;
  /** The covariate head's penalty; absent: chosen on `validation`. */
  covariateRidge?: number;
}

/**
 * A network seeded from `train.seed`, warm-started with a ridge penalty of `ridge` when it has a highway (from
 * the training windows' normal equations), or, reading features, with its covariate head's regression
 * (`warmStartCovariateHead`), and trained on `train` for at most `maxEpochs` (0 keeps the starting weights)
 * and `train.max_steps` steps, each epoch on `train.windows_per_epoch` windows drawn anew.
 */
function fitOnce(
  spec: NetworkSpec,
  config: Config,
  windows: FitWindows,
  maxEpochs: number,
  onEpoch: TrainModelOptions["onEpoch"],
  shards: ShardThreads | null,
): FitRun {
  const { train, validation, equations, ridge } = windows;
  const rng = new Rng(config.train.seed);
  const network = createNetwork(spec, rng);
  const covariateRidge =
    featureCount(spec) > 0
      ? warmStartCovariateHead(network, train, windows.covariateRidge ?? validation)
      : undefined;
  if (covariateRidge === undefined && spec.highway && train.count > 0)
    warmStartHighway(network, equations, ridge);
  const adam = new Adam(network.params, { lr: config.train.lr });
  const random = () => rng.uniform();
  const batchSize = config.data.batch_size;
  const perEpoch = config.train.windows_per_epoch;
  const epochWindows = (set: Windows) =>
    perEpoch > 0 && perEpoch < set.count ? pickWindows(set, sampleIndices(set.count, perEpoch, random)) : set;
  const parts = {
    network: shards ? shardedNetwork(network, shards) : network,
    step: () => adam.step(),
    loss: mseLoss,
    batches: (set: Windows) => iterateBatches(epochWindows(set), batchSize, random),
    evaluationBatches: (set: Windows) => iterateBatches(set, Math.max(batchSize, EVALUATION_BATCH)),
  };
  const fit = fitNetwork(parts, train, validation, {
    maxEpochs,
    patience: config.train.patience,
    maxSteps: config.train.max_steps,
    onEpoch,
  });
  return { network, fit, covariateRidge };
}

/**
 * Time steps of training (windows seen in all epochs, times the window's length: a window's cost grows with
 * it) below which a network trains on one thread: starting a shard thread costs about half a second, more
 * than sharing a smaller training saves. Walmart's weekly windows of 58 (46k windows, 2.7M steps) train in
 * 5.6 s on two threads against 9.5 s on one; windows of 14 steps reach the bound at about 107k windows.
 */
const MIN_SHARDED_STEPS = 1_500_000;

/** The threads a network's batches are shared over: `requested`, where its training is large enough. */
function shardedThreads(requested: number, minSteps: number, config: Config, trainCount: number): number {
  const { max_epochs, max_steps, windows_per_epoch } = config.train;
  const perEpoch = windows_per_epoch > 0 ? Math.min(windows_per_epoch, trainCount) : trainCount;
  const bySteps = max_steps > 0 ? max_steps * config.data.batch_size : Infinity;
  const samples = Math.min(bySteps, max_epochs * perEpoch);
  return trainCount > 0 && samples * config.data.window_size >= minSteps ? requested : 1;
}

/** `count` shard threads for networks of `spec` and batches up to the config's. */
function startShards(spec: NetworkSpec, config: Config, count: number): ShardThreads {
  return startShardThreads(
    spec,
    paramShapes(spec).reduce((n, { shape }) => n + sizeOf(shape), 0),
    Math.max(config.data.batch_size, EVALUATION_BATCH),
    count,
  );
}

/**
 * The networks to try: `base` without features; with them, one per distinct set of columns of
 * FEATURE_USES (none, known-future, all), each reading its columns of the same input rows.
 */
function featureChoices(
  base: NetworkSpec,
  features: SeriesFeatures | undefined,
): { use: FeatureUse; spec: NetworkSpec }[] {
  if (!features) return [{ use: "none", spec: base }];
  const seen = new Set<string>();
  const choices: { use: FeatureUse; spec: NetworkSpec }[] = [];
  for (const use of FEATURE_USES) {
    const featureColumns = featureUseColumns(features.layout, use);
    const key = featureColumns.join(",");
    if (seen.has(key)) continue;
    seen.add(key);
    choices.push({ use, spec: { ...base, features: features.layout.names.length, featureColumns } });
  }
  return choices;
}

/**
 * The features earn their place on the validation windows: the fewest (none, known-future, all, in that order)
 * whose network's validation loss is within one standard error of the lowest (`simplestWithinOneError`).
 */
function chooseFeatureUse<T extends { run: FitRun }>(tried: readonly T[], validation: Windows): T {
  if (tried.length === 1 || validation.count === 0) return tried[0];
  return tried[
    simplestWithinOneError(tried.map(({ run }) => lossSpread(windowLosses(run.network, validation))))
  ];
}

/** Each validation window's mean squared error over its horizon. */
function windowLosses(network: Network, windows: Windows): Float64Array {
  const { horizon } = windows;
  const losses = new Float64Array(windows.count);
  let index = 0;
  for (const batch of iterateBatches(windows, EVALUATION_BATCH)) {
    const out = network.forward(batch.x, batch.size);
    for (let row = 0; row < batch.size; row++) {
      let loss = 0;
      for (let k = 0; k < horizon; k++) loss += (out[row * horizon + k] - batch.y[row * horizon + k]) ** 2;
      losses[index++] = loss / horizon;
    }
  }
  return losses;
}

/** Windows per evaluation batch at least: evaluation keeps no activations for a backward pass. */
const EVALUATION_BATCH = 256;

/** Sets of windows up to this size are packed once (faster to batch from); larger ones are drawn by index. */
const PACKED_BYTES_LIMIT = 256 << 20;

/**
 * The training and validation windows: packed when small, drawn by index when not (the same windows in the
 * same order either way). With `train.windows_per_epoch`, validation is a seeded sample of that many origins,
 * the same for every epoch, so an epoch's cost does not grow with the history.
 */
function trainingWindows(
  series: readonly Series[],
  scaler: WindowScaler,
  split: SplitOptions,
  config: Config,
  features: SeriesFeatures | undefined,
): { train: Windows; validation: Windows } {
  const sources = windowSources(series, scaler, split, features);
  const floats = (sources.train.count + sources.validation.count) * (split.windowSize + split.horizon);
  // Windows with features are always drawn by index: their rows are (W + H) × F floats wider.
  const packed = !features && floats * 4 <= PACKED_BYTES_LIMIT;
  const { train, validation } = packed ? buildWindowSets(series, scaler, split) : sources;
  const perEpoch = config.train.windows_per_epoch;
  if (perEpoch === 0 || validation.count <= perEpoch) return { train, validation };
  const rng = new Rng(config.train.seed + 1);
  const sample = sampleIndices(validation.count, perEpoch, () => rng.uniform()).sort();
  return { train, validation: pickWindows(validation, sample) };
}

/**
 * Trains one network on the given series (one series for a per-series model, many for a global one):
 * per-series normalization from training parts, sliding windows, seeded minibatch Adam with early stopping,
 * then validation metrics beside the naive baselines. With `train.refit`, the validation windows, the most
 * recent ones, then join the training windows for a second fit of the epoch count early stopping chose; the
 * reported validation metrics stay those of the first fit, which never saw them.
 */
export function trainModel(series: Series[], config: Config, options: TrainModelOptions): TrainedModel {
  const started = performance.now();
  const split: SplitOptions = {
    windowSize: config.data.window_size,
    horizon: config.data.horizon,
    validationFraction: config.data.validation_fraction,
    validationLength: options.validationLength,
    holdout: options.holdout ?? 0,
  };
  const stats = fitSeriesNormalization(series, split);
  const normalization = config.data.normalization;
  const scaler = scalerFor(normalization, stats);
  const { features } = options;
  const { train, validation } = trainingWindows(series, scaler, split, config, features);
  const base: NetworkSpec = {
    ...specFromConfig(config),
    highway: options.highway ?? config.model.highway,
  };
  const threads = shardedThreads(
    options.threads ?? 1,
    options.minShardedSteps ?? MIN_SHARDED_STEPS,
    config,
    train.count,
  );
  // one pass over the training windows serves the penalty's choice and both warm starts
  const equations = new NormalEquations(split.windowSize, split.horizon).add(train);
  const ridge = chooseRidge(equations, validation);
  // Each network tried has its shard threads (replicas of its own shape); the chosen one's serve its refit too.
  const opened: ShardThreads[] = [];
  const shardsFor = (spec: NetworkSpec) => {
    const shards = threads > 1 ? startShards(spec, config, threads - 1) : null;
    if (shards) opened.push(shards);
    return shards;
  };
  let chosen: { use: FeatureUse; spec: NetworkSpec; run: FitRun; shards: ShardThreads | null };
  let refit: FitRun | null;
  try {
    const tried = featureChoices(base, features).map(({ use, spec }) => {
      const shards = shardsFor(spec);
      const windows = { train, validation, equations, ridge };
      return {
        use,
        spec,
        shards,
        run: fitOnce(spec, config, windows, config.train.max_epochs, options.onEpoch, shards),
      };
    });
    chosen = chooseFeatureUse(tried, validation);
    const { spec, run, shards } = chosen;
    refit =
      config.train.refit && validation.count > 0
        ? fitOnce(
            spec,
            config,
            {
              train: concatWindowSources(train, validation),
              validation: NO_WINDOWS(split, inputWidth(spec)),
              equations: equations.copy().add(validation),
              ridge,
              covariateRidge: run.covariateRidge,
            },
            run.fit.bestEpoch,
            undefined,
            shards,
          )
        : null;
  } finally {
    for (const shards of opened) shards.close();
  }
  const { spec, run: first } = chosen;
  const { quantiles } = options;
  const headed = (network: Network, windows: Windows) =>
    quantiles ? withQuantileHead(network, quantiles, windows, config.train.seed + 2) : network;
  const firstFit = headed(first.network, train);
  return {
    network: refit ? headed(refit.network, concatWindowSources(train, validation)) : firstFit,
    firstFit,
    spec: quantiles ? { ...spec, quantiles: [...quantiles] } : spec,
    series,
    stats,
    normalization,
    scaler,
    fit: first.fit,
    refitEpochs: refit ? refit.fit.epochs : 0,
    ...(features ? { featureUse: chosen.use } : {}),
    trainWindows: train.count,
    validationWindows: validation.count,
    seconds: (performance.now() - started) / 1000,
  };
}

const NO_WINDOWS = ({ windowSize, horizon }: SplitOptions, inputWidth: number): Windows => ({
  count: 0,
  windowSize,
  horizon,
  inputWidth,
  write: () => {
    throw new RangeError("an empty set has no window");
  },
});
