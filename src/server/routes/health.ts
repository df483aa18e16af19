import { Type } from "@fastify/type-provider-typebox";
import type { Registry } from "../../registry/index.ts";
import type { SalescastApp } from "../base-app.ts";
import type { LoadFailure } from "../model-loader.ts";
import { withoutPaths } from "../redact.ts";
import { HealthResponse, type HealthResponseBody } from "../schemas.ts";
import { NO_MODEL_MESSAGE, type ServingModels } from "../serving-models.ts";

export interface HealthRouteDeps {
  models: ServingModels;
  /** The registry readiness asks; without one the server is never ready. */
  registry?: Pick<Registry, "production">;
  loadFailures?: () => LoadFailure[];
}

const ReadyResponse = Type.Object(
  {
    status: Type.Union([Type.Literal("ready"), Type.Literal("not_ready")]),
    reason: Type.Optional(Type.String({ description: "present when not ready: why" })),
    production_serving: Type.Integer({ description: "production versions answering predictions" }),
  },
  { examples: [{ status: "ready", production_serving: 1 }] },
);
type ReadyBody = { status: "ready" | "not_ready"; reason?: string; production_serving: number };

/**
 * GET /api/health: liveness, up whenever the process answers, with the model versions it serves (possibly
 * none) and the production versions that could not be loaded (`loadFailures`).
 * GET /api/health/ready: 200 only when the registry answers and a production version serves; 503 with the
 * reason otherwise. What a load balancer or a container health check should ask.
 */
export function registerHealthRoutes(
  app: SalescastApp,
  { models, registry, loadFailures = () => [] }: HealthRouteDeps,
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
      if (failures.length > 0)
        body.load_failures = failures.map((failure) => ({
          ...failure,
          reason: withoutPaths(failure.reason),
        }));
      return body;
    },
  );

  app.get(
    "/api/health/ready",
    {
      schema: {
        tags: ["operations"],
        summary: "Readiness: a production model serves and the registry answers",
        response: { 200: ReadyResponse, 503: ReadyResponse },
      },
    },
    async (_request, reply) => {
      const body = await readiness(models, registry);
      return reply.code(body.status === "ready" ? 200 : 503).send(body);
    },
  );
}

async function readiness(models: ServingModels, registry: HealthRouteDeps["registry"]): Promise<ReadyBody> {
  if (registry === undefined) {
    return { status: "not_ready", reason: "the server has no registry", production_serving: 0 };
  }
  // By name: in the second after another process promotes, the version it replaces still serves the name.
  let productionNames: Set<string>;
  try {
    productionNames = new Set((await registry.production()).map((model) => model.name));
  } catch (error) {
    const reason = `the registry does not answer: ${withoutPaths((error as Error).message)}`;
    return { status: "not_ready", reason, production_serving: 0 };
  }
  const serving = models
    .list()
    .filter((model) => model.info.id !== undefined && productionNames.has(model.name));
  if (serving.length > 0) return { status: "ready", production_serving: serving.length };
  const reason =
    productionNames.size === 0
      ? "no version is in production in the registry: train one (POST /api/train) or promote one"
      : "no production version is loaded (see load_failures in GET /api/health)";
  return { status: "not_ready", reason, production_serving: 0 };
}
