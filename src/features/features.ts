import type { Frequency } from "../config/index.ts";
import { formatIsoDay, parseIsoDay } from "../data/dates.ts";
import { DataError } from "../data/errors.ts";
import { periodStartDay } from "../data/frequency.ts";
import { calendarNames, writeCalendar } from "./calendar.ts";
import { type CovariateTable, covariateRowsOf } from "./covariates-file.ts";
import { HOLIDAY_NAMES, writeHolidays } from "./holidays.ts";

/** Where a model's features come from: the dates (calendar, holidays) and the user's covariates. */
export interface FeatureSources {
  frequency: Frequency;
  calendar: boolean;
  /** Sorted holiday days (since 1970), or null for no holiday features. */
  holidays: readonly number[] | null;
  covariates: CovariateTable | null;
  /** The covariates known ahead; the others are past-only. */
  knownFuture: readonly string[];
}

/**
 * The features' names in column order and which are known for the horizon. Calendar and holiday features
 * come from the dates, so they are always known ahead; a user covariate only when data.known_future lists it.
 */
export interface FeatureLayout {
  names: string[];
  knownFuture: boolean[];
  /** How many of `names` are user covariates (the last ones): the values a request must send. */
  covariates: number;
}

/** Which features a model reads: none, the known-future ones only, or all of them. */
export type FeatureUse = "none" | "known_future" | "all";
export const FEATURE_USES: readonly FeatureUse[] = ["none", "known_future", "all"];

/** The columns of `layout` a use reads, ascending. */
export function featureUseColumns(layout: FeatureLayout, use: FeatureUse): number[] {
  const columns = layout.knownFuture.map((_, f) => f);
  if (use === "none") return [];
  return use === "all" ? columns : columns.filter((f) => layout.knownFuture[f]);
}

/** Each feature's mean and standard deviation over the training rows: features enter the models standardized. */
export interface FeatureScaling {
  mean: number[];
  std: number[];
}

/** The standardized features of each fitted series, `rows[s][t * F + f]` for period t from the series' start. */
export interface SeriesFeatures {
  layout: FeatureLayout;
  scaling: FeatureScaling;
  rows: Float32Array[];
  /** Periods each series has rows for (its length, plus the horizon past its end when training). */
  periods: number[];
}

export function featureLayout(sources: FeatureSources): FeatureLayout {
  const calendar = sources.calendar ? calendarNames(sources.frequency) : [];
  const holidays = sources.holidays ? [...HOLIDAY_NAMES] : [];
  const covariates = sources.covariates?.names ?? [];
  const names = [...calendar, ...holidays, ...covariates];
  const taken = new Set([...calendar, ...holidays]);
  const clash = covariates.find((name) => taken.has(name));
  if (clash) throw new DataError(`covariate column "${clash}" has the name of a calendar or holiday feature`);
  const knownFuture = names.map((name, f) => f < taken.size || sources.knownFuture.includes(name));
  return { names, knownFuture, covariates: covariates.length };
}

/** Days in the period starting on `day`. */
function periodLength(day: number, frequency: Frequency): number {
  return periodStartDay(1, frequency, day) - day;
}

/**
 * The raw features of one series for `periods` periods from its first date: the first `observed` (its sales
 * dates) need every feature; those after (the horizon past its end) need the known-future ones, and hold NaN
 * for the past-only ones, which are never read there. A missing covariate row is a DataError naming the series
 * and the dates.
 */
export function seriesFeatureRows(
  sources: FeatureSources,
  layout: FeatureLayout,
  seriesId: string,
  firstDate: string,
  observed: number,
  periods: number,
): Float32Array {
  const width = layout.names.length;
  const rows = new Float32Array(periods * width);
  const anchor = parseIsoDay(firstDate);
  if (anchor === undefined) throw new DataError(`series "${seriesId}" starts on a bad date "${firstDate}"`);
  const covariateRows = sources.covariates ? covariateRowsOf(sources.covariates, seriesId) : null;
  const firstCovariate = width - layout.covariates;
  const missingPast: string[] = [];
  const missingFuture: string[] = [];
  for (let t = 0; t < periods; t++) {
    const day = periodStartDay(t, sources.frequency, anchor);
    const offset = t * width;
    let f = offset;
    if (sources.calendar) {
      writeCalendar(day, sources.frequency, rows, f);
      f += calendarNames(sources.frequency).length;
    }
    if (sources.holidays) {
      writeHolidays(sources.holidays, day, periodLength(day, sources.frequency), rows, f);
      f += HOLIDAY_NAMES.length;
    }
    if (!covariateRows) continue;
    const values = covariateRows.get(day);
    if (values) {
      rows.set(values, offset + firstCovariate);
      continue;
    }
    for (let c = 0; c < layout.covariates; c++) rows[offset + firstCovariate + c] = Number.NaN;
    const needsFuture = layout.knownFuture.slice(firstCovariate).some(Boolean);
    if (t < observed) missingPast.push(formatIsoDay(day));
    else if (needsFuture) missingFuture.push(formatIsoDay(day));
  }
  const file = sources.covariates?.file;
  if (missingPast.length > 0) {
    throw new DataError(
      `${file}: series "${seriesId}" has no covariate row for ${listDates(missingPast)} (every sales date needs one)`,
    );
  }
  if (missingFuture.length > 0) {
    const known = layout.names.filter((_, f) => f >= firstCovariate && layout.knownFuture[f]);
    throw new DataError(
      `${file}: series "${seriesId}" has no row for ${listDates(missingFuture)}, past its last sales date: ` +
        `the known-future covariates (${known.join(", ")}) must reach the horizon of ${periods - observed} periods`,
    );
  }
  return rows;
}

function listDates(dates: readonly string[]): string {
  const shown = dates.slice(0, 5).join(", ");
  return dates.length > 5 ? `${shown} and ${dates.length - 5} more dates` : shown;
}

/** Mean and std of every feature over the first `lengths[s]` rows of each series (NaN-free by construction). */
export function fitFeatureScaling(
  layout: FeatureLayout,
  rows: readonly Float32Array[],
  lengths: readonly number[],
): FeatureScaling {
  const width = layout.names.length;
  const sum = new Float64Array(width);
  const squares = new Float64Array(width);
  let count = 0;
  rows.forEach((one, s) => {
    for (let t = 0; t < lengths[s]; t++) {
      for (let f = 0; f < width; f++) sum[f] += one[t * width + f];
    }
    count += lengths[s];
  });
  const mean = Array.from(sum, (v) => v / Math.max(count, 1));
  rows.forEach((one, s) => {
    for (let t = 0; t < lengths[s]; t++) {
      for (let f = 0; f < width; f++) squares[f] += (one[t * width + f] - mean[f]) ** 2;
    }
  });
  // A constant feature (a flag never set in training) keeps its scale rather than dividing by zero.
  const std = Array.from(squares, (v) => {
    const s = Math.sqrt(v / Math.max(count, 1));
    return s > 1e-9 ? s : 1;
  });
  return { mean, std };
}

/** Standardizes rows in place; NaN (past-only values past the end) stays NaN. */
export function standardizeRows(rows: Float32Array, scaling: FeatureScaling): Float32Array {
  const width = scaling.mean.length;
  for (let i = 0; i < rows.length; i++) {
    const f = i % width;
    rows[i] = (rows[i] - scaling.mean[f]) / scaling.std[f];
  }
  return rows;
}

/**
 * Writes the standardized features of periods `[origin - windowSize, origin + horizon)` of series `s` into
 * `out` at `offset`, (windowSize + horizon) rows of F: the window, then the horizon. A past-only feature is 0
 * in every horizon row, so nothing after the origin leaks through it.
 */
export function writeFeatureWindow(
  features: SeriesFeatures,
  s: number,
  origin: number,
  windowSize: number,
  horizon: number,
  out: Float32Array,
  offset: number,
): void {
  const { layout, rows, periods } = features;
  const width = layout.names.length;
  const from = origin - windowSize;
  if (from < 0 || origin + horizon > periods[s]) {
    throw new RangeError(
      `features of series ${s} cover periods [0, ${periods[s]}), periods [${from}, ${origin + horizon}) were asked for`,
    );
  }
  for (let t = 0; t < windowSize + horizon; t++) {
    const source = (from + t) * width;
    const target = offset + t * width;
    for (let f = 0; f < width; f++) {
      const hidden = t >= windowSize && !layout.knownFuture[f];
      out[target + f] = hidden ? 0 : rows[s][source + f];
    }
  }
}
