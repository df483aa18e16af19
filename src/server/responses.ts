import type { ForecastResult, ModelInfo } from "../forecast/index.ts";
import type { PredictResponseBody } from "./schemas.ts";

/** A forecast as the API answers it, naming the model and, when one scaled the input, the series. */
export function forecastBody(
  info: ModelInfo,
  result: ForecastResult,
  seriesId?: string,
): PredictResponseBody {
  return {
    predicted_sales: result.predicted_sales,
    forecast: result.forecast,
    ...(result.intervals === undefined ? {} : { intervals: result.intervals }),
    ...(result.notes === undefined ? {} : { notes: result.notes }),
    model: seriesId === undefined ? info : { ...info, series_id: seriesId },
  };
}
