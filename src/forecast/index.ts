export {
  type ForecasterOptions,
  ForecastInputError,
  type ForecastRequest,
  type ForecastResult,
  type ModelInfo,
  SalesForecaster,
} from "./forecaster.ts";
