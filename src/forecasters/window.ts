import { denormalize, type NormalizationStats, type WindowScaler } from "../data/index.ts";
import { type SeriesFeatures, writeFeatureWindow } from "../features/index.ts";
import type { WindowPredictor } from "../train/train-model.ts";
import type { ForecastFunction, ForecastRequest } from "./types.ts";

/**
 * Forecasts from the last `windowSize` values of each history: each window scaled as the scaler says, all
 * windows predicted in one call, each output scaled back with its window's stats.
 */
export function windowForecast(
  predict: WindowPredictor,
  scaler: WindowScaler,
  windowSize: number,
  horizon: number,
): ForecastFunction {
  return async (requests, wanted) => {
    checkWanted(wanted, horizon);
    const { x, stats } = scaledWindows(requests, scaler, windowSize);
    const y = predict(x, requests.length);
    return stats.map((s, row) => denormalize(y.subarray(row * horizon, row * horizon + wanted), s));
  };
}

export function checkWanted(wanted: number, horizon: number): void {
  if (wanted > horizon) {
    throw new RangeError(`this model forecasts ${horizon} steps, ${wanted} were asked for`);
  }
}

/** The last `windowSize` values of each request's history, scaled as the scaler says: `[count, W]`. */
export function scaledWindows(
  requests: readonly ForecastRequest[],
  scaler: WindowScaler,
  windowSize: number,
): { x: Float32Array; stats: NormalizationStats[] } {
  const x = new Float32Array(requests.length * windowSize);
  const stats = requests.map(({ seriesIndex, history }, row) => {
    const end = history.length;
    if (end < windowSize) {
      throw new RangeError(`a history of ${end} values is shorter than the window of ${windowSize}`);
    }
    const s = scaler(seriesIndex, history, end - windowSize, end);
    for (let t = 0; t < windowSize; t++)
      x[row * windowSize + t] = (history[end - windowSize + t] - s.mean) / s.std;
    return s;
  });
  return { x, stats };
}

/** The std the scaler divides the last `windowSize` values of a history by. */
export function windowInputStd(scaler: WindowScaler, windowSize: number) {
  return (seriesIndex: number, history: Float64Array): number =>
    scaler(seriesIndex, history, history.length - windowSize, history.length).std;
}

/** Scaled windows `[count, W]` and their standardized features `[count, W + H, F]` -> scaled forecasts. */
export type FeatureWindowPredictor = (x: Float32Array, cov: Float32Array, count: number) => Float32Array;

/**
 * windowForecast for a member that reads features: each request's features are those of its series around
 * its origin (the end of its history), the window's periods and then the horizon's.
 */
export function featureWindowForecast(
  predict: FeatureWindowPredictor,
  scaler: WindowScaler,
  features: SeriesFeatures,
  windowSize: number,
  horizon: number,
): ForecastFunction {
  return async (requests, wanted) => {
    const cov = requestFeatures(requests, features, windowSize, horizon);
    const withFeatures: WindowPredictor = (x, count) => predict(x, cov, count);
    return windowForecast(withFeatures, scaler, windowSize, horizon)(requests, wanted);
  };
}

/** Each request's features around its origin (the end of its history): `[count, W + H, F]`. */
export function requestFeatures(
  requests: readonly ForecastRequest[],
  features: SeriesFeatures,
  windowSize: number,
  horizon: number,
): Float32Array {
  const width = features.layout.names.length;
  const rows = windowSize + horizon;
  const cov = new Float32Array(requests.length * rows * width);
  requests.forEach(({ seriesIndex, history }, row) => {
    writeFeatureWindow(features, seriesIndex, history.length, windowSize, horizon, cov, row * rows * width);
  });
  return cov;
}
