import type { Config } from "../config/index.ts";
import {
  buildWindowSets,
  concatWindowSets,
  fitSeriesNormalization,
  iterateBatches,
  type NormalizationMode,
  type NormalizationStats,
  type Series,
  type SplitOptions,
  scalerFor,
  type WindowScaler,
  type WindowSet,
} from "../data/index.ts";
import { Adam, createNetwork, mseLoss, type Network, type NetworkSpec, Rng } from "../model/index.ts";
import { chooseRidge, warmStartHighway } from "./linear-warm-start.ts";
import { type EpochReport, type FitResult, fitNetwork } from "./loop.ts";

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
  const { windowSize, horizon } = network.spec;
  return (x, count) => {
    const out = new Float32Array(count * horizon);
    for (let start = 0; start < count; start += chunk) {
      const size = Math.min(chunk, count - start);
      const y = network.forward(x.subarray(start * windowSize, (start + size) * windowSize), size);
      out.set(y.subarray(0, size * horizon), start * horizon);
    }
    return out;
  };
}

interface FitRun {
  network: Network;
  fit: FitResult;
}

/**
 * A network seeded from `train.seed`, warm-started with a ridge penalty of `ridge` when it has a highway, and
 * trained on `train` for at most `maxEpochs` (0 keeps the starting weights).
 */
function fitOnce(
  spec: NetworkSpec,
  config: Config,
  windows: { train: WindowSet; validation: WindowSet; ridge: number },
  maxEpochs: number,
  onEpoch: TrainModelOptions["onEpoch"],
): FitRun {
  const { train, validation, ridge } = windows;
  const rng = new Rng(config.train.seed);
  const network = createNetwork(spec, rng);
  if (spec.highway && train.count > 0) warmStartHighway(network, train, ridge);
  const adam = new Adam(network.params, { lr: config.train.lr });
  const random = () => rng.uniform();
  const batchSize = config.data.batch_size;
  const parts = {
    network,
    step: () => adam.step(),
    loss: mseLoss,
    batches: (set: WindowSet) => iterateBatches(set, batchSize, random),
    evaluationBatches: (set: WindowSet) => iterateBatches(set, Math.max(batchSize, 256)),
  };
  const fit = fitNetwork(parts, train, validation, { maxEpochs, patience: config.train.patience, onEpoch });
  return { network, fit };
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
  const { train, validation } = buildWindowSets(series, scaler, split);
  const spec = { ...specFromConfig(config), highway: options.highway ?? config.model.highway };
  const ridge = chooseRidge(train, validation);
  const first = fitOnce(spec, config, { train, validation, ridge }, config.train.max_epochs, options.onEpoch);
  const refit =
    config.train.refit && validation.count > 0
      ? fitOnce(
          spec,
          config,
          { train: concatWindowSets(train, validation), validation: EMPTY_WINDOWS(train), ridge },
          first.fit.bestEpoch,
          undefined,
        )
      : null;
  return {
    network: (refit ?? first).network,
    firstFit: first.network,
    spec,
    series,
    stats,
    normalization,
    scaler,
    fit: first.fit,
    refitEpochs: refit ? refit.fit.epochs : 0,
    trainWindows: train.count,
    validationWindows: validation.count,
    seconds: (performance.now() - started) / 1000,
  };
}

const EMPTY_WINDOWS = (like: WindowSet): WindowSet => ({
  x: new Float32Array(0),
  y: new Float32Array(0),
  seriesIndex: new Int32Array(0),
  count: 0,
  windowSize: like.windowSize,
  horizon: like.horizon,
});
