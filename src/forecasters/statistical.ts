import { seasonalNaiveForecast } from "../metrics/index.ts";
import type { FitContext, FittedMember, ForecastFunction, MemberName } from "./types.ts";

/** A model fitted to one history that forecasts H steps after it, freed once used. */
export interface PerSeriesModel {
  fit(history: Float64Array): void;
  predict(horizon: number): { point: number[] };
  free(): void;
}

/**
 * A statistical member: one model fitted to each history at forecast time, so the forecast from an origin
 * only ever sees the history before it. A history the model cannot fit (too short, or a fit that fails or
 * gives non-finite values) is forecast by seasonal naive instead, and counted in `training.fallbacks`.
 */
export function perSeriesMember(
  name: MemberName,
  context: FitContext,
  create: (historyLength: number) => PerSeriesModel | null,
): FittedMember {
  const training = { fallbacks: 0 };
  const forecast: ForecastFunction = (requests, horizon) =>
    requests.map(({ history }) => {
      const fitted = fitAndPredict(create, history, horizon);
      if (fitted) return fitted;
      training.fallbacks++;
      return seasonalNaiveForecast(history, horizon, context.season);
    });
  return { name, beforeValidation: forecast, onAll: forecast, training };
}

function fitAndPredict(
  create: (historyLength: number) => PerSeriesModel | null,
  history: Float64Array,
  horizon: number,
): Float64Array | null {
  const model = create(history.length);
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
