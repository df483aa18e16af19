import type { DataConfig, Frequency } from "../config/index.ts";
import { lastPeriodDate, type Series } from "../data/index.ts";
import { readCovariates } from "./covariates-file.ts";
import {
  type FeatureSources,
  featureLayout,
  fitFeatureScaling,
  type SeriesFeatures,
  seriesFeatureRows,
  standardizeRows,
} from "./features.ts";
import { holidayDays } from "./holidays.ts";

export type FeatureConfig = Pick<DataConfig, "calendar" | "holidays" | "covariates_path" | "known_future">;

/** Holidays are looked up this many years either side of the data, so a window or horizon never runs out. */
const HOLIDAY_YEARS_MARGIN = 2;

function yearOf(date: string): number {
  return Number(date.slice(0, 4));
}

/** The sources the config asks for, or null when it asks for no feature (the sales values alone). */
export async function loadFeatureSources(
  config: FeatureConfig,
  frequency: Frequency,
  series: readonly Series[],
): Promise<FeatureSources | null> {
  if (!config.calendar && config.holidays === null && config.covariates_path === "") return null;
  const dates = series.flatMap((s) => [s.start, lastPeriodDate(s)]).sort();
  const holidays =
    config.holidays === null
      ? null
      : holidayDays(
          config.holidays,
          yearOf(dates[0]) - HOLIDAY_YEARS_MARGIN,
          yearOf(dates[dates.length - 1]) + HOLIDAY_YEARS_MARGIN,
        );
  const covariates =
    config.covariates_path === "" ? null : await readCovariates(config.covariates_path, config.known_future);
  return { frequency, calendar: config.calendar, holidays, covariates, knownFuture: config.known_future };
}

/**
 * Every series' standardized features for its own periods and `future` periods past its end (the horizon of a
 * forecast from its end), the scaling fitted on the first `fitLengths[s]` periods (the training data).
 */
export function buildSeriesFeatures(
  sources: FeatureSources,
  series: readonly Series[],
  future: number,
  fitLengths: readonly number[] = series.map((s) => s.values.length),
): SeriesFeatures {
  const layout = featureLayout(sources);
  const periods = series.map((s) => s.values.length + future);
  const rows = series.map((s, i) =>
    seriesFeatureRows(sources, layout, s.id, s.start, s.values.length, periods[i]),
  );
  const scaling = fitFeatureScaling(layout, rows, fitLengths);
  for (const one of rows) standardizeRows(one, scaling);
  return { layout, scaling, rows, periods };
}

/** The features of some of the series (a per-series model's group), in the order of `indices`. */
export function selectFeatures(features: SeriesFeatures, indices: readonly number[]): SeriesFeatures {
  return {
    ...features,
    rows: indices.map((i) => features.rows[i]),
    periods: indices.map((i) => features.periods[i]),
  };
}
