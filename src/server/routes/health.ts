import type { SalescastApp } from "../base-app.ts";
import type { LoadFailure } from "../model-sync.ts";
import { HealthResponse, type HealthResponseBody } from "../schemas.ts";
import { NO_MODEL_MESSAGE, type ServingModels } from "../serving-models.ts";

/**
 * GET /api/health: up whenever the process answers, with the model versions it serves (possibly none) and
 * the production versions that could not be loaded (`loadFailures`).
 */
export function registerHealthRoute(
  app: SalescastApp,
  models: ServingModels,
  loadFailures: () => LoadFailure[] = () => [],
): void {
  app.get(
    "/api/health",
    {
      schema: {
        tags: ["operations"],
        summary: "Liveness and the models loaded",
        response: { 200: HealthResponse },
      },
    },
    async () => {
      const serving = models.list();
      const body: HealthResponseBody = {
        status: "ok",
        models_loaded: serving.length,
        models: serving.map((model) => ({ ...model.info, series: model.forecaster.seriesIds })),
      };
      if (serving.length === 0) body.message = NO_MODEL_MESSAGE;
      const failures = loadFailures();
      if (failures.length > 0) body.load_failures = failures;
      return body;
    },
  );
}
