export {
  type ForecasterOptions,
  ForecastInputError,
  type ForecastRequest,
  type ForecastResult,
  type ModelInfo,
  SalesForecaster,
} from "./forecaster.ts";
export { type Intervals, NO_CALIBRATION_NOTE, storedIntervals, WindowIntervals } from "./intervals.ts";
export {
  type CsvSeries,
  checkStoredForecast,
  forecastCsvChunks,
  type IntervalRequest,
  type SeriesForecast,
  storedCsvSeries,
  storedSeriesForecast,
} from "./stored.ts";
