import { denormalize, type WindowScaler } from "../data/index.ts";
import type { WindowPredictor } from "../train/train-model.ts";
import type { ForecastFunction } from "./types.ts";

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
  return (requests, wanted) => {
    if (wanted > horizon) {
      throw new RangeError(`this model forecasts ${horizon} steps, ${wanted} were asked for`);
    }
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
    const y = predict(x, requests.length);
    return stats.map((s, row) => denormalize(y.subarray(row * horizon, row * horizon + wanted), s));
  };
}

/** The std the scaler divides the last `windowSize` values of a history by. */
export function windowInputStd(scaler: WindowScaler, windowSize: number) {
  return (seriesIndex: number, history: Float64Array): number =>
    scaler(seriesIndex, history, history.length - windowSize, history.length).std;
}
