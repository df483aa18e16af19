import type { FastifyServerOptions } from "fastify";
import type { Config } from "../config/index.ts";
import { DataError, loadSeries } from "../data/index.ts";
import type { Registry } from "../registry/index.ts";
import { adminGuard } from "./auth.ts";
import { createBaseApp, type SalescastApp } from "./base-app.ts";
import { HttpError } from "./errors.ts";
import type { LoadReport } from "./load-models.ts";
import { createMetrics, registerMetrics, type SalescastMetrics } from "./metrics.ts";
import { registrySource } from "./model-source.ts";
import { ModelSync } from "./model-sync.ts";
import { registerBatchRoute } from "./routes/batch.ts";
import { registerDocs } from "./routes/docs.ts";
import { registerForecastRoutes } from "./routes/forecast.ts";
import { registerHealthRoute } from "./routes/health.ts";
import { registerModelRoutes } from "./routes/models.ts";
import { registerPredictRoutes } from "./routes/predict.ts";
import { registerSeriesRoutes } from "./routes/series.ts";
import { registerTrainRoutes } from "./routes/train.ts";
import type { SeriesCatalog } from "./series-catalog.ts";
import type { ServingModels } from "./serving-models.ts";
import { DEFAULT_DASHBOARD_DIR, registerDashboard } from "./static.ts";
import { TrainingRuns } from "./training-runs.ts";

export interface AppOptions {
  /** The server's configuration: server settings, and what training runs start from. */
  config: Config;
  models: ServingModels;
  /**
   * The model registry (the caller opens and closes it): the models to serve come from its production
   * versions, and it enables /api/models and /api/train.
   */
  registry?: Registry;
  /** The sales history behind GET /api/series; without it those routes are absent. */
  catalog?: SeriesCatalog;
  /** Where requests, predictions, loads and training runs are counted; a fresh set by default. */
  metrics?: SalescastMetrics;
  /** The built dashboard served at GET / (default web/dist). */
  dashboardDir?: string;
  logger?: FastifyServerOptions["logger"];
}

/** The app, and how to load the registry's production versions into its serving models. */
export type ServerApp = SalescastApp & {
  /**
   * Loads the production versions that do not serve yet (all of them the first time); a version that fails to
   * load is logged, counted and shown in GET /api/health, and the one serving stays. Without a registry,
   * loads nothing.
   */
  loadServingModels(): Promise<LoadReport>;
};

const API_VERSION = "1.0.0";

/**
 * The salescast HTTP API over `models`. Closing the app stops the training runs (they are recorded as
 * interrupted), then closes the models once their requests are done.
 */
export async function buildApp(options: AppOptions): Promise<ServerApp> {
  const { config, models, registry, catalog, logger } = options;
  const metrics = options.metrics ?? createMetrics();
  const app = createBaseApp({ bodyLimit: config.server.body_limit_bytes, logger });
  registerMetrics(app, metrics);
  observeServing(models, metrics);

  const source = registry === undefined ? async () => [] : registrySource(registry);
  const sync = new ModelSync(source, models, {
    clipNegative: config.forecast.clip_negative,
    log: app.log,
    metrics,
  });
  const runs =
    registry === undefined ? undefined : new TrainingRuns({ registry, config, sync, metrics, log: app.log });
  app.addHook("onClose", async () => {
    await runs?.close();
    await models.close();
  });

  await registerDocs(app, API_VERSION);
  registerHealthRoute(app, models, () => sync.failures());
  registerPredictRoutes(app, models);
  registerBatchRoute(app, models, config.server.batch_max_items);
  registerForecastRoutes(app, models);
  if (catalog !== undefined) registerSeriesRoutes(app, { catalog });
  if (registry !== undefined && runs !== undefined) {
    const guard = adminGuard(config.server.admin_token);
    registerModelRoutes(app, { registry, models, sync, guard });
    registerTrainRoutes(app, {
      runs,
      guard,
      categories: { runs, registry, listSeries: seriesLister(config) },
    });
  }
  registerDashboard(app, { distDir: options.dashboardDir ?? DEFAULT_DASHBOARD_DIR });
  app.decorate("loadServingModels", () => sync.sync());
  return app as ServerApp;
}

/** The series ids of the configured sales history, read afresh as a training run will read them. */
function seriesLister(config: Config): () => Promise<string[]> {
  return async () => {
    try {
      return (await loadSeries(config.data)).series.map((one) => one.id);
    } catch (error) {
      if (error instanceof DataError) throw new HttpError(503, "data_unavailable", error.message);
      throw error;
    }
  };
}

/** Predictions by model version, micro-batch sizes and the serving versions, from the models into the metrics. */
function observeServing(models: ServingModels, metrics: SalescastMetrics): void {
  models.observe({
    onBatch(model, size) {
      metrics.microBatchSize.observe(size);
      metrics.predictions.inc({ model: model.name, version: model.info.version }, size);
    },
    onPredictions(model, count) {
      metrics.predictions.inc({ model: model.name, version: model.info.version }, count);
    },
    onChange(serving) {
      metrics.setServingModels(serving.map((model) => ({ name: model.name, version: model.info.version })));
    },
  });
}
