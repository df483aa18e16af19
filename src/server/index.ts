export { type AppOptions, buildApp } from "./app.ts";
export { createBaseApp, type SalescastApp } from "./base-app.ts";
export { HttpError } from "./errors.ts";
export { closeOnSignals } from "./lifecycle.ts";
export { type LoadLog, type LoadOptions, type LoadReport, loadModels } from "./load-models.ts";
export { type BatchForecaster, MicroBatcher } from "./micro-batcher.ts";
export { artifactDirectorySource, type ModelRef, type ModelSource, type SourceLog } from "./model-source.ts";
export { forecastBody } from "./responses.ts";
export {
  GLOBAL_MODEL,
  type Lease,
  ModelUnavailableError,
  NO_MODEL_MESSAGE,
  type ServingModel,
  ServingModels,
  seriesModelName,
} from "./serving-models.ts";
