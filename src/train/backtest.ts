import type { Config } from "../config/index.ts";
import { denormalize, lastWindows, loadSeries, type Series } from "../data/index.ts";
import {
  averageMetrics,
  type ErrorMetrics,
  errorMetrics,
  naiveForecast,
  seasonalNaiveForecast,
  seasonalNaiveScale,
} from "../metrics/index.ts";
import { type EpochProgress, silentProgress } from "./progress.ts";
import { resolveSeason } from "./season.ts";
import { sizedForBacktest } from "./sizing.ts";
import { enginePredictor, trainModel } from "./train-model.ts";

export interface BacktestOptions {
  /** Test points at the end of every series (the protocol's H); the model's horizon is set to it. */
  holdout: number;
  /** Size the window from the data's season, horizon and length rather than taking the config's. */
  autoSize: boolean;
  progress?: (label: string, maxEpochs: number) => EpochProgress;
}

export interface BacktestReport {
  data: string;
  series: number;
  frequency: string;
  horizon: number;
  season: number;
  window_size: number;
  scope: string;
  model: ErrorMetrics;
  naive: ErrorMetrics;
  seasonal_naive: ErrorMetrics;
  epochs: number[];
  seconds: number;
  warnings: string[];
}

/** Forecasts from the end of each series' fitting part, clipped at 0 since sales are never negative. */
function modelForecasts(
  group: Series[],
  config: Config,
  options: BacktestOptions & { season: number },
  label: string,
): { forecasts: Float64Array[]; epochs: number } {
  const bar = (options.progress ?? silentProgress)(label, config.train.max_epochs);
  try {
    const trained = trainModel(group, config, {
      holdout: options.holdout,
      season: options.season,
      onEpoch: (r) => bar.onEpoch(r),
    });
    const { windowSize, horizon } = trained.spec;
    const x = lastWindows(group, trained.stats, windowSize, options.holdout);
    const y = enginePredictor(trained.network, 256)(x, group.length);
    const forecasts = group.map((_, s) =>
      denormalize(y.subarray(s * horizon, (s + 1) * horizon), trained.stats[s]).map((v) => Math.max(0, v)),
    );
    return { forecasts, epochs: trained.fit.epochs };
  } finally {
    bar.stop();
  }
}

/**
 * The accuracy protocol of shared/data/README.md: the last H points of every series are the test set, one
 * forecast origin at the end of the fitting part, MAE/RMSE/sMAPE/MASE per series averaged unweighted, with
 * naive and seasonal naive on the same split.
 */
export async function backtest(requested: Config, options: BacktestOptions): Promise<BacktestReport> {
  const started = performance.now();
  const { holdout } = options;
  const loaded = await loadSeries(requested.data, { holdout });
  const season = resolveSeason(requested.data.season, loaded.frequency);
  const shortestFit = Math.min(...loaded.series.map((s) => s.values.length - holdout));
  const config = options.autoSize ? sizedForBacktest(requested, season, shortestFit) : requested;
  const groups = config.train.scope === "global" ? [loaded.series] : loaded.series.map((one) => [one]);
  const runs = groups.map((group, g) =>
    modelForecasts(
      group,
      config,
      { ...options, season },
      groups.length === 1 ? "backtest" : `backtest ${g + 1}/${groups.length}`,
    ),
  );
  const forecasts = runs.flatMap((run) => run.forecasts);
  const perSeries = {
    model: [] as ErrorMetrics[],
    naive: [] as ErrorMetrics[],
    seasonal_naive: [] as ErrorMetrics[],
  };
  loaded.series.forEach(({ values }, s) => {
    const fitEnd = values.length - holdout;
    const fit = values.subarray(0, fitEnd);
    const actual = values.subarray(fitEnd);
    const scale = seasonalNaiveScale(fit, season);
    perSeries.model.push(errorMetrics(actual, forecasts[s], scale));
    perSeries.naive.push(errorMetrics(actual, naiveForecast(fit, holdout), scale));
    perSeries.seasonal_naive.push(errorMetrics(actual, seasonalNaiveForecast(fit, holdout, season), scale));
  });
  return {
    data: config.data.csv_path,
    series: loaded.series.length,
    frequency: loaded.frequency,
    horizon: holdout,
    season,
    window_size: config.data.window_size,
    scope: config.train.scope,
    model: averageMetrics(perSeries.model),
    naive: averageMetrics(perSeries.naive),
    seasonal_naive: averageMetrics(perSeries.seasonal_naive),
    epochs: runs.map((run) => run.epochs),
    seconds: (performance.now() - started) / 1000,
    warnings: loaded.warnings,
  };
}
