import type { AdminGuard } from "../auth.ts";
import type { SalescastApp } from "../base-app.ts";
import { emptyBodyAsObject } from "../json-body.ts";
import { RunIdParams, TrainBody, TrainingRunResponse, TrainStartedResponse } from "../registry-schemas.ts";
import { errorResponse, errorResponses } from "../schemas.ts";
import type { TrainingRuns } from "../training-runs.ts";

export interface TrainRouteDeps {
  runs: TrainingRuns;
  guard: AdminGuard;
}

/** POST /api/train and GET /api/train/{run_id}: training runs in a worker thread, followed by polling. */
export function registerTrainRoutes(app: SalescastApp, { runs, guard }: TrainRouteDeps): void {
  app.post(
    "/api/train",
    {
      onRequest: guard,
      preValidation: emptyBodyAsObject,
      schema: {
        tags: ["training"],
        summary: "Start a training run off the request thread; 202 with its id",
        description:
          "Trains with the server's configuration, the overrides applied over it and `series` as train.series, " +
          "all validated before the run is queued. One run at a time per scope (global or per_series). The " +
          "registry's promotion policy decides whether the new version serves; if it does, the server swaps " +
          "it in when the run ends.",
        security: [{ bearerAuth: [] }],
        body: TrainBody,
        response: {
          202: TrainStartedResponse,
          400: errorResponse("the body does not match the schema, or an override names a refused key"),
          401: errorResponses(401)[401],
          409: errorResponse("a run of the same scope is queued or running"),
          422: errorResponse("an override is malformed, names an unknown key or sets an invalid value"),
        },
      },
    },
    async (request, reply) => {
      const run = runs.start(request.body);
      return reply
        .code(202)
        .header("location", `/api/train/${run.id}`)
        .send({ run_id: run.id, scope: run.scope, status: run.status });
    },
  );

  app.get(
    "/api/train/:run_id",
    {
      schema: {
        tags: ["training"],
        summary: "A training run: status, last epoch's progress, error, registered versions, hot swap",
        params: RunIdParams,
        response: {
          200: TrainingRunResponse,
          400: errorResponses(400)[400],
          404: errorResponse("no run has this id"),
        },
      },
    },
    async (request) => runs.get(request.params.run_id),
  );
}
