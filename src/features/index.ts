export { calendarNames, writeCalendar } from "./calendar.ts";
export { type CovariateTable, readCovariates } from "./covariates-file.ts";
export {
  FEATURE_USES,
  type FeatureLayout,
  type FeatureScaling,
  type FeatureSources,
  type FeatureUse,
  featureLayout,
  featureUseColumns,
  type SeriesFeatures,
  writeFeatureWindow,
} from "./features.ts";
export { HOLIDAY_NAMES, HOLIDAY_REACH_DAYS, holidayDays, writeHolidays } from "./holidays.ts";
export { buildSeriesFeatures, type FeatureConfig, loadFeatureSources, selectFeatures } from "./sources.ts";
