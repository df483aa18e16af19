export { type AppOptions, buildApp, type ServerApp } from "./app.ts";
export {
  type AdminGuard,
  adminGuard,
  checkAdminExposure,
  isLoopbackHost,
  resolveAdminToken,
  ServerSetupError,
} from "./auth.ts";
export { createBaseApp, type SalescastApp } from "./base-app.ts";
export { HttpError } from "./errors.ts";
export { type CloseOptions, closeOnSignals } from "./lifecycle.ts";
export { createMetrics, registerMetrics, type SalescastMetrics } from "./metrics.ts";
export { type BatchForecaster, MicroBatcher } from "./micro-batcher.ts";
export {
  type LoadFailure,
  type LoadLog,
  type LoadReport,
  ModelLoader,
  type ModelRef,
  productionRefs,
  registryVersionLabel,
  UnloadableModelError,
} from "./model-loader.ts";
export { forecastBody } from "./responses.ts";
export {
  backgroundSeriesCatalog,
  createSeriesCatalog,
  loadSeriesCatalog,
  type SeriesCatalog,
} from "./series-catalog.ts";
export {
  GLOBAL_MODEL,
  type Lease,
  ModelUnavailableError,
  NO_MODEL_MESSAGE,
  type ServingModel,
  type ServingModelInfo,
  ServingModels,
  type ServingObserver,
  seriesModelName,
} from "./serving-models.ts";
export { type TrainRequest, trainingConfig, withoutSecrets } from "./training-config.ts";
export { type HotSwapReport, type RunView, TrainingRuns } from "./training-runs.ts";
