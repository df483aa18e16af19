import {
  ARTIFACT_FORMAT_VERSION,
  type Artifact,
  type MetricsRecord,
  saveArtifact,
} from "../artifact/index.ts";
import type { Config, Frequency } from "../config/index.ts";
import type { ErrorMetrics } from "../metrics/index.ts";
import { exportOnnx } from "../model/index.ts";
import type { TrainedModel } from "./train-model.ts";

/** JSON has no NaN: a metric that could not be computed (e.g. MASE on a constant series) is saved as null. */
function metricsRecord(metrics: ErrorMetrics | undefined): MetricsRecord {
  const value = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : null);
  return {
    mae: value(metrics?.mae),
    rmse: value(metrics?.rmse),
    smape: value(metrics?.smape),
    mase: value(metrics?.mase),
  };
}

/** The config as saved beside a model: the admin token never goes into a file. */
function withoutSecrets(config: Config): Config {
  return { ...config, server: { ...config.server, admin_token: "" } };
}

export interface SaveOptions {
  name: string;
  scope: Config["train"]["scope"];
  frequency: Frequency;
  season: number;
}

/** Exports the network to ONNX and writes it with its normalization and meta record as one artifact. */
export function saveTrainedModel(
  root: string,
  trained: TrainedModel,
  config: Config,
  options: SaveOptions,
): Artifact {
  const params = new Map(trained.network.params.map((p) => [p.name, p.data]));
  const onnx = exportOnnx(trained.spec, params, { docString: `salescast ${options.name}` });
  const normalization = {
    default: trained.pooledStats,
    series: Object.fromEntries(trained.series.map((s, i) => [s.id, trained.stats[i]])),
  };
  return saveArtifact(root, {
    onnx,
    normalization,
    meta: {
      format_version: ARTIFACT_FORMAT_VERSION,
      name: options.name,
      scope: options.scope,
      series: trained.series.map((s) => s.id),
      frequency: options.frequency,
      window_size: trained.spec.windowSize,
      horizon: trained.spec.horizon,
      season: options.season,
      spec: { ...trained.spec },
      config: withoutSecrets(config),
      validation: {
        model: metricsRecord(trained.validation?.model),
        naive: metricsRecord(trained.validation?.naive),
        seasonal_naive: metricsRecord(trained.validation?.seasonal_naive),
      },
      training: {
        epochs: trained.fit.epochs,
        best_epoch: trained.fit.bestEpoch,
        seconds: trained.seconds,
        train_windows: trained.trainWindows,
        validation_windows: trained.validationWindows,
      },
    },
  });
}
