import { seasonalNaiveForecast } from "../metrics/index.ts";
import { etsModel } from "./ets.ts";
import { mstlModel } from "./mstl.ts";

/** A model fitted to one history that forecasts H steps after it, freed once used. */
export interface PerSeriesModel {
  fit(history: Float64Array): void;
  predict(horizon: number): { point: number[] };
  free(): void;
}

/** The statistical members' models by member name, each made for a history's length and the data's season. */
export const STATISTICAL_MODELS = { mstl: mstlModel, ets: etsModel } satisfies Record<
  string,
  (length: number, season: number) => PerSeriesModel | null
>;

export type StatisticalModelName = keyof typeof STATISTICAL_MODELS;

/**
 * Histories to forecast, packed for a worker: `lengths[i]` values each, one after another in `values`. Plain
 * data with two buffers, so a task moves between threads without copying each history.
 */
export interface StatisticalTask {
  model: StatisticalModelName;
  season: number;
  horizon: number;
  values: Float64Array<ArrayBuffer>;
  lengths: Int32Array<ArrayBuffer>;
}

/** The forecasts of a task, `horizon` values per history in order, and how many fell back to seasonal naive. */
export interface StatisticalResult {
  forecasts: Float64Array<ArrayBuffer>;
  fallbacks: number;
}

/**
 * Fits the model to each history and forecasts it. A history the model cannot fit (too short, or a fit that
 * fails or gives non-finite values) is forecast by seasonal naive instead, and counted.
 */
export function forecastHistories(task: StatisticalTask): StatisticalResult {
  const { model, season, horizon, values, lengths } = task;
  const forecasts = new Float64Array(lengths.length * horizon);
  let fallbacks = 0;
  let start = 0;
  lengths.forEach((length, i) => {
    const history = values.subarray(start, start + length);
    start += length;
    let point = fitAndPredict(STATISTICAL_MODELS[model](length, season), history, horizon);
    if (!point) {
      fallbacks++;
      point = seasonalNaiveForecast(history, horizon, season);
    }
    forecasts.set(point, i * horizon);
  });
  return { forecasts, fallbacks };
}

function fitAndPredict(
  model: PerSeriesModel | null,
  history: Float64Array,
  horizon: number,
): Float64Array | null {
  if (!model) return null;
  try {
    model.fit(history);
    const point = Float64Array.from(model.predict(horizon).point);
    return point.length === horizon && point.every(Number.isFinite) ? point : null;
  } catch {
    return null;
  } finally {
    model.free();
  }
}

/** Packs histories into one task. */
export function packHistories(
  model: StatisticalModelName,
  season: number,
  horizon: number,
  histories: readonly Float64Array[],
): StatisticalTask {
  const lengths = Int32Array.from(histories, (h) => h.length);
  const values = new Float64Array(lengths.reduce((sum, n) => sum + n, 0));
  let start = 0;
  for (const history of histories) {
    values.set(history, start);
    start += history.length;
  }
  return { model, season, horizon, values, lengths };
}
