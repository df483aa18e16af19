import type { ForecastRequest } from "../../forecast/index.ts";
import type { Admission } from "../admission.ts";
import type { SalescastApp } from "../base-app.ts";
import { HttpError } from "../errors.ts";
import type { FiniteGuard } from "../finite-guard.ts";
import { levelsFromBody } from "../levels.ts";
import { forecastBody } from "../responses.ts";
import { BatchResponse, batchBody, errorResponses, type PredictResponseBody } from "../schemas.ts";
import type { Lease, ServingModel, ServingModels } from "../serving-models.ts";

interface Job {
  index: number;
  request: ForecastRequest;
}

/**
 * POST /api/predict/batch: many forecasts in one request, one model call per model, answers in order. A batch
 * takes one place in the admission queue.
 */
export interface BatchRouteDeps {
  models: ServingModels;
  maxItems: number;
  admission: Admission;
  guard: FiniteGuard;
  /** The interval levels of a request that names none (`model.levels`). */
  defaultLevels: readonly number[];
}

export function registerBatchRoute(
  app: SalescastApp,
  { models, maxItems, admission, guard, defaultLevels }: BatchRouteDeps,
): void {
  app.post(
    "/api/predict/batch",
    {
      onRequest: admission.gate,
      schema: {
        tags: ["forecast"],
        summary: "Forecast many windows at once",
        description: `Up to ${maxItems} items; each names a series or uses the default model. A bad item fails the request with a 422 naming its index.`,
        body: batchBody(maxItems),
        response: { 200: BatchResponse, ...errorResponses(400, 413, 415, 422, 500, 503) },
      },
    },
    async (request) => {
      const levels = levelsFromBody(request.body.level, defaultLevels);
      return admission.run(async () => {
        const leases: Lease[] = [];
        try {
          // Resolve and validate every item before any model runs, so a bad item fails the request whole.
          const jobsByModel = new Map<ServingModel, Job[]>();
          for (const [index, item] of request.body.items.entries()) {
            const seriesId = item.series_id;
            const lease =
              seriesId === undefined ? models.acquireDefault() : models.acquireForSeries(seriesId);
            if (!lease) {
              throw new HttpError(
                422,
                "unknown_series",
                `items[${index}].series_id: no model serves series '${seriesId}'`,
              );
            }
            leases.push(lease);
            const job = {
              index,
              request: {
                values: item.series,
                seriesId,
                start: item.start,
                covariates: item.covariates,
                levels,
              },
            };
            lease.model.forecaster.validate(job.request, `items[${index}].series`);
            const jobs = jobsByModel.get(lease.model);
            if (jobs) jobs.push(job);
            else jobsByModel.set(lease.model, [job]);
          }
          const results: PredictResponseBody[] = new Array(request.body.items.length);
          await Promise.all(
            [...jobsByModel].map(async ([model, jobs]) => {
              const forecasts = await model.forecaster.predictMany(jobs.map((job) => job.request));
              guard(model, forecasts);
              models.countPredictions(model, forecasts.length);
              for (const [k, job] of jobs.entries()) {
                results[job.index] = forecastBody(model.info, forecasts[k], job.request.seriesId);
              }
            }),
          );
          return { results };
        } finally {
          for (const lease of leases) lease.release();
        }
      });
    },
  );
}
