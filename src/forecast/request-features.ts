import type { FeaturesMeta } from "../artifact/index.ts";
import type { Frequency } from "../config/index.ts";
import { parseIsoDay } from "../data/dates.ts";
import { periodStartDay } from "../data/frequency.ts";
import { calendarNames, holidayDays, writeCalendar, writeHolidays } from "../features/index.ts";
import { ForecastInputError } from "./forecaster.ts";

/** What a request gives a model with features: the window's first date, and the user covariates' values. */
export interface RequestFeatures {
  start?: string;
  covariates?: Record<string, readonly number[]>;
}

const holidayCache = new Map<string, number[]>();

/** The holidays around a year, looked up once per calendar and year (date-holidays computes them). */
function holidaysAround(holidays: NonNullable<FeaturesMeta["holidays"]>, year: number): number[] {
  const key = `${JSON.stringify(holidays)}:${year}`;
  let days = holidayCache.get(key);
  if (!days) {
    days = holidayDays(holidays, year - 1, year + 2);
    holidayCache.set(key, days);
  }
  return days;
}

/**
 * The standardized `[windowSize + horizon, F]` features of one request, as model.onnx's `covariates` input
 * takes them: calendar and holiday columns from the dates (the window starts on `start`), then each user
 * covariate, window + horizon values for a known-future one and window values for a past-only one (0 in the
 * horizon, where it is never read). A missing, extra, wrongly sized or non-finite covariate, or a missing or
 * bad `start`, is a ForecastInputError naming it and the rule.
 */
export function requestFeatureRows(
  meta: FeaturesMeta,
  frequency: Frequency,
  windowSize: number,
  horizon: number,
  request: RequestFeatures,
  field: string,
  out: Float32Array,
  offset: number,
): void {
  const width = meta.names.length;
  const rows = windowSize + horizon;
  const firstCovariate = width - meta.covariates;
  if (firstCovariate > 0) {
    if (request.start === undefined) {
      throw new ForecastInputError(
        `${field}start is required: this model's calendar and holiday features come from the dates (the first date of the window, YYYY-MM-DD)`,
        "value",
      );
    }
    const anchor = parseIsoDay(request.start);
    if (anchor === undefined) {
      throw new ForecastInputError(
        `${field}start must be a date YYYY-MM-DD, got '${request.start}'`,
        "value",
      );
    }
    const holidays = meta.holidays && holidaysAround(meta.holidays, Number(request.start.slice(0, 4)));
    for (let t = 0; t < rows; t++) {
      const day = periodStartDay(t, frequency, anchor);
      let f = offset + t * width;
      if (meta.calendar) {
        writeCalendar(day, frequency, out, f);
        f += calendarNames(frequency).length;
      }
      if (holidays) writeHolidays(holidays, day, periodStartDay(1, frequency, day) - day, out, f);
    }
  }
  const given = request.covariates ?? {};
  const names = meta.names.slice(firstCovariate);
  const extra = Object.keys(given).filter((name) => !names.includes(name));
  if (extra.length > 0) {
    throw new ForecastInputError(
      `${field}covariates.${extra[0]} is not a covariate of this model (its covariates: ${names.join(", ") || "none"})`,
      "value",
    );
  }
  names.forEach((name, c) => {
    const f = firstCovariate + c;
    const known = meta.known_future[f];
    const expected = known ? rows : windowSize;
    const rule = known
      ? `window_size + horizon = ${rows} values (known ahead)`
      : `window_size = ${windowSize} values (past-only)`;
    const values = Object.hasOwn(given, name) ? given[name] : undefined;
    if (values === undefined)
      throw new ForecastInputError(`${field}covariates.${name} is required: ${rule}`, "length");
    if (values.length !== expected) {
      throw new ForecastInputError(
        `${field}covariates.${name} must have ${rule}, got ${values.length}`,
        "length",
      );
    }
    for (let t = 0; t < rows; t++) {
      const value = t < expected ? values[t] : meta.mean[f];
      if (!Number.isFinite(value)) {
        throw new ForecastInputError(
          `${field}covariates.${name}[${t}] must be a finite number, got ${value}`,
          "value",
        );
      }
      out[offset + t * width + f] = value;
    }
  });
  for (let t = 0; t < rows; t++) {
    for (let f = 0; f < width; f++) {
      const i = offset + t * width + f;
      // Past-only features are 0 in the horizon, standardized, as in training.
      out[i] = t >= windowSize && !meta.known_future[f] ? 0 : (out[i] - meta.mean[f]) / meta.std[f];
    }
  }
}
