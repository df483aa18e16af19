import type { Series, SplitOptions, WindowScaler } from "../data/index.ts";
import { clipForecast, denormalize, normalize, splitBounds } from "../data/index.ts";
import {
  averageMetrics,
  type ErrorMetrics,
  errorMetrics,
  naiveForecast,
  seasonalNaiveForecast,
  seasonalNaiveScale,
} from "../metrics/index.ts";

/** Forecasts normalized windows `[count, windowSize]` -> normalized `[count, horizon]`. */
export type WindowPredictor = (x: Float32Array, count: number) => Float32Array;

export interface ComparedMetrics {
  model: ErrorMetrics;
  naive: ErrorMetrics;
  seasonal_naive: ErrorMetrics;
}

/**
 * Forecasts in sales units for the given origins of series `seriesIndex` (each forecast starts at its origin),
 * each window scaled as the scaler says and the output scaled back with the same stats.
 */
export function forecastAt(
  predict: WindowPredictor,
  values: Float64Array,
  seriesIndex: number,
  scaler: WindowScaler,
  origins: readonly number[],
  windowSize: number,
  horizon: number,
): Float64Array[] {
  const x = new Float32Array(origins.length * windowSize);
  const stats = origins.map((t, row) => {
    const s = scaler(seriesIndex, values, t - windowSize, t);
    x.set(normalize(values.subarray(t - windowSize, t), s), row * windowSize);
    return s;
  });
  const y = predict(x, origins.length);
  return origins.map((_, row) => denormalize(y.subarray(row * horizon, (row + 1) * horizon), stats[row]));
}

/**
 * The model against naive and seasonal naive on every validation window, in sales units: per series over
 * all its validation targets, MASE scaled on its training part, then averaged over series. Null when no
 * series has a validation window.
 */
export function validationMetrics(
  predict: WindowPredictor,
  series: readonly Series[],
  scaler: WindowScaler,
  options: SplitOptions,
  season: number,
  clipNegative: boolean,
): ComparedMetrics | null {
  const { windowSize, horizon } = options;
  const perSeries: { model: ErrorMetrics[]; naive: ErrorMetrics[]; seasonal_naive: ErrorMetrics[] } = {
    model: [],
    naive: [],
    seasonal_naive: [],
  };
  series.forEach(({ values }, s) => {
    const { trainEnd, fitEnd } = splitBounds(values.length, options);
    const origins: number[] = [];
    for (let t = Math.max(trainEnd, windowSize); t + horizon <= fitEnd; t++) origins.push(t);
    if (origins.length === 0) return;
    const forecasts = forecastAt(predict, values, s, scaler, origins, windowSize, horizon).map((f) =>
      clipForecast(f, clipNegative),
    );
    const actual: number[] = [];
    const model: number[] = [];
    const naive: number[] = [];
    const seasonal: number[] = [];
    origins.forEach((t, i) => {
      const history = values.subarray(0, t);
      actual.push(...values.subarray(t, t + horizon));
      model.push(...forecasts[i]);
      naive.push(...naiveForecast(history, horizon));
      seasonal.push(...seasonalNaiveForecast(history, horizon, season));
    });
    const scale = seasonalNaiveScale(values.subarray(0, trainEnd), season);
    perSeries.model.push(errorMetrics(actual, model, scale));
    perSeries.naive.push(errorMetrics(actual, naive, scale));
    perSeries.seasonal_naive.push(errorMetrics(actual, seasonal, scale));
  });
  if (perSeries.model.length === 0) return null;
  return {
    model: averageMetrics(perSeries.model),
    naive: averageMetrics(perSeries.naive),
    seasonal_naive: averageMetrics(perSeries.seasonal_naive),
  };
}
