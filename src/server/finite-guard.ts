import type { ForecastResult } from "../forecast/index.ts";
import type { ServingModel } from "./serving-models.ts";

/** A forecast that came out NaN or infinite: the model's fault, never an answer. */
export class NonFiniteForecastError extends Error {
  override name = "NonFiniteForecastError";
}

/** Checks every answer before it leaves; `onNonFinite` hears each model that produced a non-finite one. */
export type FiniteGuard = (model: ServingModel, results: readonly ForecastResult[]) => void;

export function finiteGuard(onNonFinite: (model: ServingModel) => void): FiniteGuard {
  return (model, results) => {
    for (const result of results) {
      if (Number.isFinite(result.predicted_sales) && result.forecast.every(Number.isFinite)) continue;
      onNonFinite(model);
      throw new NonFiniteForecastError(
        `model ${model.name} ${model.info.version} produced a non-finite forecast for a valid input; ` +
          "the operator has been told (salescast_non_finite_forecasts_total)",
      );
    }
  };
}
