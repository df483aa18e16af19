import type { ArtifactMeta } from "../../artifact/index.ts";
import type { ModelVersion, Registry, StageChange } from "../../registry/index.ts";
import type { AdminGuard } from "../auth.ts";
import type { SalescastApp } from "../base-app.ts";
import { HttpError } from "../errors.ts";
import { emptyBodyAsObject } from "../json-body.ts";
import type { ModelLoader } from "../model-loader.ts";
import { withoutPaths } from "../redact.ts";
import {
  type ModelDetailBody,
  ModelDetailResponse,
  ModelIdParams,
  ModelListResponse,
  type RegisteredModelBody,
  RollbackBody,
  type StageChangeBody,
  StageChangeResponse,
} from "../registry-schemas.ts";
import { errorResponse, errorResponses } from "../schemas.ts";
import { GLOBAL_MODEL, type ServingModels } from "../serving-models.ts";

export interface ModelRouteDeps {
  registry: Registry;
  models: ServingModels;
  loader: Pick<ModelLoader, "promote" | "rollback">;
  guard: AdminGuard;
}

const UNKNOWN_MODEL = errorResponse("no model has this id");
const UNAUTHORIZED = errorResponses(401)[401];

/** "7" → 7; anything but a positive integer is a 400 naming the value. */
function parseModelId(text: string): number {
  if (!/^[1-9][0-9]{0,14}$/.test(text)) {
    throw new HttpError(400, "invalid_request", `a model id is a positive integer, got '${text}'`);
  }
  return Number(text);
}

/** The architecture a version's saved config names ("unknown" if it names none). */
function architectureOf(config: Record<string, unknown>): string {
  const model = config.model as { architecture?: unknown } | undefined;
  return typeof model?.architecture === "string" ? model.architecture : "unknown";
}

/**
 * What a version was trained with, as safe to show: the data (but for which file), model and train sections.
 * The saved configuration also holds paths and the server section, which are nobody's business over HTTP.
 */
function trainingSettings(config: Record<string, unknown>): Record<string, unknown> {
  const { csv_path: _file, ...data } = (config.data ?? {}) as Record<string, unknown>;
  return { data, model: config.model ?? null, train: config.train ?? null };
}

/** What a format 2 artifact adds: the window member, the ensemble and each member's cross-validation. */
function formatTwoRecord(meta: ArtifactMeta): Partial<NonNullable<ModelDetailBody["artifact"]>> {
  if (meta.members === undefined) return {};
  return {
    window_member: meta.window_member,
    ensemble: meta.ensemble,
    members: Object.fromEntries(
      Object.entries(meta.members).map(([name, record]) => [
        name,
        { cv: record.cv, seconds: record.seconds },
      ]),
    ),
    cv_origins: meta.validation.measured_on?.origins,
  };
}

/** What a format 3 artifact's window route reads beside the sales: calendar, holidays and the user's covariates. */
function featuresRecord(meta: ArtifactMeta): Partial<NonNullable<ModelDetailBody["artifact"]>> {
  const features = meta.features;
  if (features === undefined) return {};
  const first = features.names.length - features.covariates;
  return {
    features: {
      calendar: features.calendar,
      holidays: features.holidays,
      covariates: features.names
        .slice(first)
        .map((name, c) => ({ name, known_future: features.known_future[first + c] })),
    },
  };
}

/** GET /api/models, GET /api/models/{id}, POST /api/models/{id}/promote, POST /api/models/rollback. */
export function registerModelRoutes(
  app: SalescastApp,
  { registry, models, loader, guard }: ModelRouteDeps,
): void {
  const isServing = (model: ModelVersion) => models.get(model.name)?.info.id === model.id;

  const versionBody = (model: ModelVersion): RegisteredModelBody => ({
    id: model.id,
    name: model.name,
    version: model.version,
    stage: model.stage,
    created_at: model.created_at,
    promoted_at: model.promoted_at,
    previous_production_id: model.previous_production_id,
    metrics: model.metrics,
    architecture: architectureOf(model.config),
    serving: isServing(model),
  });

  /** The registry's change, and the version that serves its name now. */
  function changeBody(change: StageChange): StageChangeBody {
    const serving = models.get(change.model.name)?.info;
    const body: StageChangeBody = {
      model: versionBody(change.model),
      replaced: change.replaced === null ? null : versionBody(change.replaced),
      serving:
        serving === undefined
          ? null
          : {
              name: serving.name,
              version: serving.version,
              ...(serving.id === undefined ? {} : { id: serving.id }),
            },
    };
    return body;
  }

  app.get(
    "/api/models",
    {
      schema: {
        tags: ["models"],
        summary: "Every registered model version, with its stage and validation metrics",
        response: { 200: ModelListResponse, ...errorResponses(500) },
      },
    },
    async () => ({ models: (await registry.list()).map(versionBody) }),
  );

  app.get(
    "/api/models/:id",
    {
      schema: {
        tags: ["models"],
        summary:
          "One model version: its metrics, its artifact's window, horizon and frequency, how it was trained",
        params: ModelIdParams,
        response: { 200: ModelDetailResponse, 400: errorResponses(400)[400], 404: UNKNOWN_MODEL },
      },
    },
    async (request) => {
      const model = await registry.get(parseModelId(request.params.id));
      const body: ModelDetailBody = {
        ...versionBody(model),
        onnx_sha256: model.onnx_sha256,
        training_config: trainingSettings(model.config),
        artifact: null,
      };
      try {
        const { meta } = await registry.artifact(model.id);
        body.artifact = {
          scope: meta.scope,
          series: meta.series,
          frequency: meta.frequency,
          window_size: meta.window_size,
          horizon: meta.horizon,
          season: meta.season,
          training: meta.training,
          ...formatTwoRecord(meta),
          ...featuresRecord(meta),
        };
      } catch (error) {
        body.artifact_error = withoutPaths((error as Error).message);
      }
      return body;
    },
  );

  app.post(
    "/api/models/:id/promote",
    {
      onRequest: guard,
      schema: {
        tags: ["models"],
        summary: "Make a version serve, whatever its metrics; the server swaps it in without a restart",
        description:
          "The version is loaded and checked first; only then does the registry record it as production. " +
          "Requests in flight finish on the version that served. A version that cannot be loaded is a 409 " +
          "(unloadable_model), and the registry is left as it was.",
        security: [{ bearerAuth: [] }],
        params: ModelIdParams,
        response: {
          200: StageChangeResponse,
          400: errorResponses(400)[400],
          401: UNAUTHORIZED,
          404: UNKNOWN_MODEL,
          409: errorResponse("the version does not load, so it cannot serve"),
        },
      },
    },
    async (request) => changeBody(await loader.promote(parseModelId(request.params.id))),
  );

  app.post(
    "/api/models/rollback",
    {
      onRequest: guard,
      preValidation: emptyBodyAsObject,
      schema: {
        tags: ["models"],
        summary: "Put back the version that served before the current one (loaded first), and swap it in",
        description: `Body: {"name"} (default "${GLOBAL_MODEL}"). Repeated rollbacks walk further back.`,
        security: [{ bearerAuth: [] }],
        body: RollbackBody,
        response: {
          200: StageChangeResponse,
          ...errorResponses(400, 401),
          404: errorResponse("no model has this name"),
          409: errorResponse(
            "the model has no earlier production version to go back to, or that version does not load",
          ),
        },
      },
    },
    async (request) => changeBody(await loader.rollback(request.body?.name ?? GLOBAL_MODEL)),
  );
}
