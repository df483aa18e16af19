import type { FastifyServerOptions } from "fastify";
import type { Config } from "../config/index.ts";
import { DataError, loadSeries } from "../data/index.ts";
import type { Registry } from "../registry/index.ts";
import { Admission } from "./admission.ts";
import { adminGuard } from "./auth.ts";
import { createBaseApp, type SalescastApp } from "./base-app.ts";
import { HttpError } from "./errors.ts";
import { finiteGuard } from "./finite-guard.ts";
import { createMetrics, registerMetrics, type SalescastMetrics } from "./metrics.ts";
import { type LoadReport, ModelLoader } from "./model-loader.ts";
import { registerBatchRoute } from "./routes/batch.ts";
import { registerDocs } from "./routes/docs.ts";
import { registerForecastRoutes } from "./routes/forecast.ts";
import { registerHealthRoutes } from "./routes/health.ts";
import { registerHolidayRoutes } from "./routes/holidays.ts";
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
  /** Loads, checks and swaps in production changes made by other processes, every server.registry_poll_ms, until the app closes. */
  followRegistry(): void;
};

const API_VERSION = "1.0.0";

/**
 * The salescast HTTP API over `models`. Closing the app stops the training runs (they are recorded as
 * interrupted), then closes the models once their requests are done.
 */
export async function buildApp(options: AppOptions): Promise<ServerApp> {
  const { config, models, registry, catalog, logger } = options;
  const metrics = options.metrics ?? createMetrics();
  const { server } = config;
  const app = createBaseApp({
    bodyLimit: server.body_limit_bytes,
    logger,
    secrets: [server.admin_token],
    timeouts: {
      headers: server.headers_timeout_ms,
      keepAlive: server.keep_alive_timeout_ms,
      request: server.receive_timeout_ms,
    },
  });
  registerMetrics(app, metrics);
  observeServing(models, metrics);

  const loader = new ModelLoader(registry, models, {
    clipNegative: config.forecast.clip_negative,
    log: app.log,
    metrics,
  });
  const runs =
    registry === undefined
      ? undefined
      : new TrainingRuns({ registry, config, sync: loader, metrics, log: app.log });
  app.addHook("onClose", async () => {
    await loader.stopFollowing();
    await runs?.close();
    await models.close();
  });

  const admission = new Admission({
    maxPending: server.max_pending,
    timeoutMs: server.request_timeout_ms,
    metrics: { shed: (reason) => metrics.shedRequests.inc({ reason }) },
  });
  metrics.observeQueueDepth(() => admission.pending);
  const guard = finiteGuard((model) => {
    metrics.nonFiniteForecasts.inc({ model: model.name });
    app.log.error(`model ${model.name} ${model.info.version} produced a non-finite forecast`);
  });

  await registerDocs(app, API_VERSION);
  registerHealthRoutes(app, { models, registry, loadFailures: () => loader.failures() });
  const defaultLevels = config.model.levels;
  registerPredictRoutes(app, { models, admission, guard, defaultLevels });
  registerBatchRoute(app, { models, maxItems: server.batch_max_items, admission, guard, defaultLevels });
  registerForecastRoutes(app, { models, defaultLevels });
  if (catalog !== undefined) registerSeriesRoutes(app, { catalog });
  registerHolidayRoutes(app);
  if (registry !== undefined && runs !== undefined) {
    const admin = adminGuard(server.admin_token);
    registerModelRoutes(app, { registry, models, loader, guard: admin });
    registerTrainRoutes(app, {
      runs,
      guard: admin,
      categories: { runs, registry, listSeries: seriesLister(config) },
    });
  }
  registerDashboard(app, { distDir: options.dashboardDir ?? DEFAULT_DASHBOARD_DIR });
  app.decorate("loadServingModels", () => loader.sync());
  app.decorate("followRegistry", () => loader.startFollowing(server.registry_poll_ms));
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
