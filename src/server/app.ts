import type { FastifyServerOptions } from "fastify";
import type { Config } from "../config/index.ts";
import { createBaseApp, type SalescastApp } from "./base-app.ts";
import { registerBatchRoute } from "./routes/batch.ts";
import { registerDocs } from "./routes/docs.ts";
import { registerHealthRoute } from "./routes/health.ts";
import { registerPredictRoutes } from "./routes/predict.ts";
import type { ServingModels } from "./serving-models.ts";

export interface AppOptions {
  config: Pick<Config, "server">;
  models: ServingModels;
  logger?: FastifyServerOptions["logger"];
}

const API_VERSION = "1.0.0";

/** The salescast HTTP API over `models`. Closing the app closes the models once their requests are done. */
export async function buildApp({ config, models, logger }: AppOptions): Promise<SalescastApp> {
  const app = createBaseApp({ bodyLimit: config.server.body_limit_bytes, logger });
  app.addHook("onClose", () => models.close());
  await registerDocs(app, API_VERSION);
  registerHealthRoute(app, models);
  registerPredictRoutes(app, models);
  registerBatchRoute(app, models, config.server.batch_max_items);
  return app;
}
