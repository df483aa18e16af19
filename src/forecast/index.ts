export {
  type ForecasterOptions,
  ForecastInputError,
  type ForecastRequest,
  type ForecastResult,
  type ModelInfo,
  SalesForecaster,
} from "./forecaster.ts";
export { forecastsCsv, type SeriesForecast, storedSeriesForecast } from "./stored.ts";
