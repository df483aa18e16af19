import type { AdminGuard } from "../auth.ts";
import type { SalescastApp } from "../base-app.ts";
import { type CategoryTrainingDeps, trainCategories } from "../category-training.ts";
import { HttpError } from "../errors.ts";
import { emptyBodyAsObject } from "../json-body.ts";
import {
  CategoriesTrainedResponse,
  RunIdParams,
  TrainAllBody,
  TrainBody,
  TrainingRunResponse,
  TrainStartedResponse,
} from "../registry-schemas.ts";
import { errorResponse, errorResponses } from "../schemas.ts";
import type { TrainingRuns } from "../training-runs.ts";

export interface TrainRouteDeps {
  runs: TrainingRuns;
  guard: AdminGuard;
  categories: CategoryTrainingDeps;
}

const CATEGORY_ANSWERS = {
  200: CategoriesTrainedResponse,
  500: errorResponse("the training run failed: its error and run id"),
  503: errorResponse("the sales history cannot be read, or the server is shutting down"),
};

/**
 * POST /api/train and GET /api/train/{run_id}: training runs in a worker thread, followed by polling. The
 * original's body (`categories`) and POST /api/train_all wait for the run instead, as its client expects.
 */
export function registerTrainRoutes(app: SalescastApp, { runs, guard, categories }: TrainRouteDeps): void {
  app.post(
    "/api/train",
    {
      onRequest: guard,
      preValidation: emptyBodyAsObject,
      schema: {
        tags: ["training"],
        summary:
          "Start a training run off the request thread (202 with its id), or train categories and wait",
        description:
          "Trains with the server's configuration, the overrides applied over it and `series` as train.series, " +
          "all validated before the run is queued. One run at a time per scope (global or per_series). The " +
          "registry's promotion policy decides whether the new version serves; if it does, the server swaps " +
          "it in when the run ends. With the original service's body (`categories`, `experiment_name`) it " +
          "trains one model per category (per-series scope) and answers 200 once training has finished, " +
          "however long that takes.",
        security: [{ bearerAuth: [] }],
        body: TrainBody,
        response: {
          202: TrainStartedResponse,
          ...CATEGORY_ANSWERS,
          400: errorResponse("the body does not match the schema, or an override names a refused key"),
          401: errorResponses(401)[401],
          409: errorResponse("a run of the same scope is queued or running"),
          422: errorResponse(
            "an override is malformed, names an unknown key or sets an invalid value; or a category is unknown",
          ),
        },
      },
    },
    async (request, reply) => {
      const { categories: named, experiment_name: experiment, ...own } = request.body;
      if (named !== undefined || experiment !== undefined) {
        if (own.series !== undefined || own.overrides !== undefined) {
          throw new HttpError(
            400,
            "invalid_request",
            "categories and experiment_name (the original service's body) cannot be combined with series or overrides",
          );
        }
        if (named === undefined) {
          throw new HttpError(
            400,
            "invalid_request",
            "experiment_name needs categories: the categories to train",
          );
        }
        return reply.code(200).send(await trainCategories(categories, named, experiment));
      }
      const run = await runs.start(own);
      return reply
        .code(202)
        .header("location", `/api/train/${run.id}`)
        .send({ run_id: run.id, scope: run.scope, status: run.status });
    },
  );

  app.post(
    "/api/train_all",
    {
      onRequest: guard,
      preValidation: emptyBodyAsObject,
      schema: {
        tags: ["training"],
        summary: "Train one model per series and answer once training has finished (the original's route)",
        description:
          "The original service's route: trains every series of the configured sales history on its own " +
          "(per-series scope), waits for the run and for the swap of what it promoted, and answers 200.",
        security: [{ bearerAuth: [] }],
        body: TrainAllBody,
        response: {
          ...CATEGORY_ANSWERS,
          400: errorResponses(400)[400],
          401: errorResponses(401)[401],
          409: errorResponse("a per-series run is queued or running"),
        },
      },
    },
    async (request) => trainCategories(categories, "all", request.body.experiment_name),
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
