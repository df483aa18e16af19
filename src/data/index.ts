export { type Batch, iterateBatches } from "./batches.ts";
export { clipForecast } from "./clip.ts";
export type { CsvFormat } from "./columns.ts";
export { DataError } from "./errors.ts";
export { addPeriods } from "./frequency.ts";
export { type LoadConfig, type LoadedSeries, type LoadOptions, loadSeries } from "./load.ts";
export {
  denormalize,
  fitNormalization,
  fitPooledNormalization,
  fitSeriesNormalization,
  MIN_STD,
  normalize,
} from "./normalize.ts";
export {
  type NormalizationMode,
  scalerFor,
  seriesScaler,
  WINDOW_STD_FLOOR,
  type WindowScaler,
  windowScaler,
  windowStats,
} from "./scaling.ts";
export { lastPeriodDate, periodDate, periodDates } from "./series-dates.ts";
export { holdoutSplit, type SplitBounds, type SplitOptions, splitBounds } from "./split.ts";
export type { Frequency, NormalizationStats, Series, WindowSet } from "./types.ts";
export {
  concatWindowSources,
  originRanges,
  pickWindows,
  sampleIndices,
  type WindowSource,
  type Windows,
  windowSources,
} from "./window-source.ts";
export { buildWindowSets, lastWindows } from "./windows.ts";
