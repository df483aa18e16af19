import type { Config } from "../config/index.ts";
import {
  buildWindowSets,
  fitNormalization,
  fitSeriesNormalization,
  iterateBatches,
  type NormalizationStats,
  type Series,
  type SplitOptions,
  splitBounds,
} from "../data/index.ts";
import { Adam, type CnnLstmSpec, createCnnLstm, mseLoss, type Network, Rng } from "../model/index.ts";
import { type ComparedMetrics, validationMetrics, type WindowPredictor } from "./evaluate.ts";
import { type EpochReport, type FitResult, fitNetwork } from "./loop.ts";

export interface TrainedModel {
  network: Network;
  spec: CnnLstmSpec;
  series: Series[];
  stats: NormalizationStats[];
  /** All series' training parts pooled: the stats for a forecast that names no series. */
  pooledStats: NormalizationStats;
  fit: FitResult;
  validation: ComparedMetrics | null;
  trainWindows: number;
  validationWindows: number;
  seconds: number;
}

export interface TrainModelOptions {
  /** Points kept out at the end of each series (a backtest's test set). */
  holdout?: number;
  season: number;
  onEpoch?: (report: EpochReport) => void;
}

export function specFromConfig(config: Config): CnnLstmSpec {
  const { model, data } = config;
  return {
    architecture: model.architecture,
    windowSize: data.window_size,
    horizon: data.horizon,
    convChannels: model.conv_channels,
    kernelSize: model.kernel_size,
    lstmHidden: model.lstm_hidden,
    lstmLayers: model.lstm_layers,
  };
}

function pooledTrainingStats(series: readonly Series[], options: SplitOptions): NormalizationStats {
  const parts = series.map(({ values }) => values.subarray(0, splitBounds(values.length, options).trainEnd));
  const pooled = new Float64Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    pooled.set(part, offset);
    offset += part.length;
  }
  return fitNormalization(pooled);
}

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

/**
 * Trains one network on the given series (one series for a per-series model, many for a global one):
 * per-series normalization from training parts, sliding windows, seeded minibatch Adam with early stopping,
 * then validation metrics beside the naive baselines.
 */
export function trainModel(series: Series[], config: Config, options: TrainModelOptions): TrainedModel {
  const started = performance.now();
  const split: SplitOptions = {
    windowSize: config.data.window_size,
    horizon: config.data.horizon,
    validationFraction: config.data.validation_fraction,
    holdout: options.holdout ?? 0,
  };
  const stats = fitSeriesNormalization(series, split);
  const { train, validation } = buildWindowSets(series, stats, split);
  const rng = new Rng(config.train.seed);
  const spec = specFromConfig(config);
  const network = createCnnLstm(spec, rng);
  const adam = new Adam(network.params, { lr: config.train.lr });
  const random = () => rng.uniform();
  const batchSize = config.data.batch_size;
  const fit = fitNetwork(
    {
      network,
      step: () => adam.step(),
      loss: mseLoss,
      batches: (set) => iterateBatches(set, batchSize, random),
      evaluationBatches: (set) => iterateBatches(set, Math.max(batchSize, 256)),
    },
    train,
    validation,
    { maxEpochs: config.train.max_epochs, patience: config.train.patience, onEpoch: options.onEpoch },
  );
  const metrics = validationMetrics(enginePredictor(network, 256), series, stats, split, options.season);
  return {
    network,
    spec,
    series,
    stats,
    pooledStats: pooledTrainingStats(series, split),
    fit,
    validation: metrics,
    trainWindows: train.count,
    validationWindows: validation.count,
    seconds: (performance.now() - started) / 1000,
  };
}
