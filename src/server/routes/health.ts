import type { SalescastApp } from "../base-app.ts";
import { HealthResponse, type HealthResponseBody } from "../schemas.ts";
import { NO_MODEL_MESSAGE, type ServingModels } from "../serving-models.ts";

/** GET /api/health: up whenever the process answers, with the models it serves (possibly none). */
export function registerHealthRoute(app: SalescastApp, models: ServingModels): void {
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
      return body;
    },
  );
}
