import type { Admission } from "../admission.ts";
import type { SalescastApp } from "../base-app.ts";
import { HttpError } from "../errors.ts";
import type { FiniteGuard } from "../finite-guard.ts";
import { levelsFromBody } from "../levels.ts";
import { forecastBody } from "../responses.ts";
import {
  errorResponses,
  PredictBody,
  type PredictRequestBody,
  PredictResponse,
  SeriesParams,
} from "../schemas.ts";
import type { Lease, ServingModels } from "../serving-models.ts";

const COMMON_ERRORS = [400, 413, 415, 422, 500, 503] as const;

export interface PredictRouteDeps {
  models: ServingModels;
  admission: Admission;
  guard: FiniteGuard;
  /** The interval levels of a request that names none (`model.levels`). */
  defaultLevels: readonly number[];
}

/**
 * POST /api/predict and POST /api/predict/{series_id}: one forecast, micro-batched with concurrent ones,
 * behind the admission queue (503 with Retry-After when it is full or the deadline passes).
 */
export function registerPredictRoutes(
  app: SalescastApp,
  { models, admission, guard, defaultLevels }: PredictRouteDeps,
): void {
  /**
   * The model is chosen once admitted (a refused request holds no model), and held until the model call
   * ends, even when the deadline answered first.
   */
  const forecast = (choose: () => Lease, body: PredictRequestBody, seriesId?: string) => {
    const levels = levelsFromBody(body.level, defaultLevels);
    return admission.run(async () => {
      const lease = choose();
      try {
        const { series: values, start, covariates } = body;
        const result = await lease.model.batcher.predict({ values, seriesId, start, covariates, levels });
        guard(lease.model, [result]);
        return forecastBody(lease.model.info, result, seriesId);
      } finally {
        lease.release();
      }
    });
  };

  app.post(
    "/api/predict",
    {
      onRequest: admission.gate,
      schema: {
        tags: ["forecast"],
        summary: "Forecast from a window of sales",
        description:
          "Uses the global model with its pooled statistics (or the only model, when just one serves).",
        body: PredictBody,
        response: { 200: PredictResponse, ...errorResponses(...COMMON_ERRORS) },
      },
    },
    async (request) => forecast(() => models.acquireDefault(), request.body),
  );

  app.post(
    "/api/predict/:series_id",
    {
      onRequest: admission.gate,
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
      const choose = () => {
        const lease = models.acquireForSeries(seriesId);
        if (!lease) throw new HttpError(404, "unknown_series", `no model serves series '${seriesId}'`);
        return lease;
      };
      return forecast(choose, request.body, seriesId);
    },
  );
}
