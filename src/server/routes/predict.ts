import type { SalescastApp } from "../base-app.ts";
import { HttpError } from "../errors.ts";
import { forecastBody } from "../responses.ts";
import { errorResponses, PredictBody, PredictResponse, SeriesParams } from "../schemas.ts";
import type { ServingModels } from "../serving-models.ts";

const COMMON_ERRORS = [400, 413, 415, 422, 500] as const;

/** POST /api/predict and POST /api/predict/{series_id}: one forecast, micro-batched with concurrent ones. */
export function registerPredictRoutes(app: SalescastApp, models: ServingModels): void {
  app.post(
    "/api/predict",
    {
      schema: {
        tags: ["forecast"],
        summary: "Forecast from a window of sales",
        description:
          "Uses the global model with its pooled statistics (or the only model, when just one serves).",
        body: PredictBody,
        response: { 200: PredictResponse, ...errorResponses(...COMMON_ERRORS, 503) },
      },
    },
    async (request) => {
      const lease = models.acquireDefault();
      try {
        const result = await lease.model.batcher.predict({ values: request.body.series });
        return forecastBody(lease.model.info, result);
      } finally {
        lease.release();
      }
    },
  );

  app.post(
    "/api/predict/:series_id",
    {
      schema: {
        tags: ["forecast"],
        summary: "Forecast one series",
        description:
          "Uses the model trained for this series, or the global model with this series' statistics.",
        params: SeriesParams,
        body: PredictBody,
        response: { 200: PredictResponse, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => {
      const seriesId = request.params.series_id;
      const lease = models.acquireForSeries(seriesId);
      if (!lease) throw new HttpError(404, "unknown_series", `no model serves series '${seriesId}'`);
      try {
        const result = await lease.model.batcher.predict({ values: request.body.series, seriesId });
        return forecastBody(lease.model.info, result, seriesId);
      } finally {
        lease.release();
      }
    },
  );
}
