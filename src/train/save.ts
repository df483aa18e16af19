import { createHash } from "node:crypto";
import {
  type Artifact,
  BINARY_FORECASTS_FORMAT_VERSION,
  type FeaturesMeta,
  type MeasuredOn,
  type MetricsRecord,
  type StoredForecasts,
  saveArtifact,
} from "../artifact/index.ts";
import { type Config, type Frequency, storableConfig } from "../config/index.ts";
import {
  addPeriods,
  fitPooledNormalization,
  fitSeriesNormalization,
  lastPeriodDate,
  type Series,
  type SplitOptions,
} from "../data/index.ts";
import { type IntervalMetrics, thinnedScores } from "../intervals/index.ts";
import type { ErrorMetrics } from "../metrics/index.ts";
import { largest } from "./extremes.ts";
import type { Panel } from "./panel.ts";

/** JSON has no NaN: a metric that could not be computed (e.g. MASE on a constant series) is saved as null. */
export function metricsRecord(metrics: ErrorMetrics | undefined, intervals?: IntervalMetrics): MetricsRecord {
  const value = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : null);
  return {
    mae: value(metrics?.mae),
    rmse: value(metrics?.rmse),
    smape: value(metrics?.smape),
    mase: value(metrics?.mase),
    ...(intervals === undefined
      ? {}
      : { intervals: Object.fromEntries(Object.entries(intervals).map(([k, v]) => [k, value(v)])) }),
  };
}

export interface SaveOptions {
  name: string;
  scope: Config["train"]["scope"];
  frequency: Frequency;
  season: number;
  split: SplitOptions;
  /** The features model.onnx's `covariates` input takes (format 3); none for a model of the sales alone. */
  features?: FeaturesMeta;
}

/** The series and horizon that validation metrics were measured on, so only like is compared with like. */
export function measuredOn(series: readonly Series[], horizon: number, origins: number): MeasuredOn {
  const ids = series.map((s) => s.id).sort();
  return {
    horizon,
    series_count: ids.length,
    series_sha256: createHash("sha256").update(ids.join("\n")).digest("hex"),
    origins,
  };
}

/**
 * Each series' ensemble forecast from its end, dated, with every member's forecast and weight beside it, and
 * what its intervals are made from: its scale and own conformal scores, and the pooled ones; or, when the
 * cross-validation chose head-scaled bands, its head half-widths and the quantile of each level.
 */
function storedForecasts(series: readonly Series[], panel: Panel, horizon: number): StoredForecasts {
  const scores = panel.intervalScores.ensemble;
  const { method, headScaled } = panel.ensembleBands;
  const widthsOf = (s: number) =>
    method === "head_scaled" && headScaled ? { widths: headScaled.finalWidths[s] } : {};
  const entries = series.map((one, s) => {
    const last = lastPeriodDate(one);
    return [
      one.id,
      {
        dates: Array.from({ length: horizon }, (_, k) => addPeriods(last, one.frequency, k + 1)),
        values: Array.from(panel.ensembleFinal[s]),
        members: Object.fromEntries(panel.runs.map((run) => [run.name, Array.from(run.final[s])])),
        weights: Object.fromEntries(panel.runs.map((run, m) => [run.name, panel.weights[s][m]])),
        interval: { scale: panel.finalScales[s], scores: scores.series[s], ...widthsOf(s) },
      },
    ] as const;
  });
  return {
    horizon,
    calibration: {
      method,
      pooled: scores.pooled.map((step) => thinnedScores(step)),
      window: (panel.windowScores?.pooled ?? []).map((step) => thinnedScores(step)),
      ...(method === "head_scaled" && headScaled
        ? { head_scaled: { member: headScaled.member, quantiles: headScaled.quantiles } }
        : {}),
    },
    series: Object.fromEntries(entries),
  };
}

/**
 * Writes one version of an ensemble: model.onnx is the window member's graph (it answers the window routes),
 * normalization.json says how its windows are scaled, forecasts.json and forecasts.bin (format 4) hold every
 * series' stored forecasts, and meta.json every member's cross-validation record. The validation metrics are cross-validation on the
 * last origins of the training data by the same procedure that then fitted the saved weights on all of it.
 */
export function saveEnsembleModel(
  root: string,
  series: readonly Series[],
  panel: Panel,
  config: Config,
  options: SaveOptions,
): Artifact {
  const windowRun = panel.runs.find((run) => run.name === panel.windowMember);
  const window = windowRun?.fitted.window;
  if (!windowRun || !window) {
    throw new Error(`model.members must include a window member (linear, network, network_on_linear)`);
  }
  const horizon = options.split.horizon;
  const stats = fitSeriesNormalization(series, options.split);
  const cv = panel.cvMetrics;
  return saveArtifact(root, {
    onnx: window.onnx(),
    normalization: {
      mode: config.data.normalization,
      default: fitPooledNormalization(series, options.split),
      series: Object.fromEntries(series.map((s, i) => [s.id, stats[i]])),
    },
    forecasts: storedForecasts(series, panel, horizon),
    meta: {
      format_version: BINARY_FORECASTS_FORMAT_VERSION,
      ...(options.features ? { features: options.features } : {}),
      name: options.name,
      scope: options.scope,
      series: series.map((s) => s.id),
      frequency: options.frequency,
      window_size: window.windowSize,
      horizon,
      season: options.season,
      spec: { ...window.spec },
      config: storableConfig(config),
      validation: {
        model: metricsRecord(cv.ensemble, panel.cvIntervals.ensemble),
        naive: metricsRecord(panel.baselines.naive),
        seasonal_naive: metricsRecord(panel.baselines.seasonal_naive),
        window_member: metricsRecord(cv.members[windowRun.name], panel.cvIntervals.members[windowRun.name]),
        measured_on: measuredOn(
          series,
          horizon,
          largest(
            panel.origins.map((o) => o.length),
            0,
          ),
        ),
      },
      window_member: windowRun.name,
      ensemble: { method: panel.method, members: panel.runs.map((run) => run.name) },
      members: Object.fromEntries(
        panel.runs.map((run) => [
          run.name,
          {
            cv: metricsRecord(cv.members[run.name], panel.cvIntervals.members[run.name]),
            seconds: run.seconds,
            training: run.fitted.training,
          },
        ]),
      ),
      training: {
        epochs: windowRun.fitted.training?.epochs ?? 0,
        best_epoch: windowRun.fitted.training?.best_epoch ?? 0,
        refit_epochs: windowRun.fitted.training?.refit_epochs ?? 0,
        seconds: panel.runs.reduce((total, run) => total + run.seconds, 0),
        train_windows: windowRun.fitted.training?.train_windows ?? 0,
        validation_windows: windowRun.fitted.training?.validation_windows ?? 0,
      },
    },
  });
}
