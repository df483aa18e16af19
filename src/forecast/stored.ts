import type { StoredForecasts } from "../artifact/index.ts";
import { levelKey } from "../intervals/levels.ts";
import { ForecastInputError } from "./input-error.ts";
import { checkHeadScaledLevels, type Intervals, NO_CALIBRATION_NOTE, storedIntervals } from "./intervals.ts";

/** One series' stored forecast as the API and the CLI give it, cut to the asked horizon. */
export interface SeriesForecast {
  series_id: string;
  forecast: { date: string; value: number }[];
  members: Record<string, number[]>;
  /** The asked levels' bands around `forecast`, when the model has a calibration. */
  intervals?: Intervals;
  notes?: string[];
}

/** The interval levels to give with a stored forecast, and whether its bands are clipped at 0. */
export interface IntervalRequest {
  levels: readonly number[];
  clipNegative: boolean;
}

/**
 * Checks that a model's stored forecasts can answer for `seriesId` up to `horizon` at `levels`: a horizon beyond
 * the trained one, a series the model has no forecast for, a level its head-scaled bands were not calibrated
 * for, or a model that stores none are ForecastInputErrors
 * naming what is wrong. Cheap, so that an export checks every series before it writes its first row.
 */
export function checkStoredForecast(
  stored: StoredForecasts | null,
  seriesId: string,
  horizon?: number,
  levels: readonly number[] = [],
): { stored: StoredForecasts; steps: number } {
  if (stored === null) {
    throw new ForecastInputError(
      `the model serving series '${seriesId}' stores no forecasts (it was saved before stored forecasts existed): train a new version`,
      "unknown_series",
    );
  }
  const steps = horizon ?? stored.horizon;
  if (steps > stored.horizon) {
    throw new ForecastInputError(
      `horizon must be at most ${stored.horizon}, the horizon the model was trained for, got ${steps}`,
      "length",
    );
  }
  if (!Object.hasOwn(stored.series, seriesId)) {
    throw new ForecastInputError(`no stored forecast for series '${seriesId}'`, "unknown_series");
  }
  checkHeadScaledLevels(stored.calibration, levels);
  return { stored, steps };
}

/**
 * The forecast a model stored at training for `seriesId`, from the end of its training data: the ensemble's
 * values with their dates, and each member's; what checkStoredForecast rejects is a ForecastInputError.
 */
export function storedSeriesForecast(
  maybeStored: StoredForecasts | null,
  seriesId: string,
  horizon?: number,
  intervals?: IntervalRequest,
): SeriesForecast {
  const { stored, steps } = checkStoredForecast(maybeStored, seriesId, horizon, intervals?.levels);
  const entry = stored.series[seriesId];
  const point = entry.values.slice(0, steps);
  const answer: SeriesForecast = {
    series_id: seriesId,
    forecast: point.map((value, k) => ({ date: entry.dates[k], value })),
    members: Object.fromEntries(
      Object.entries(entry.members).map(([name, values]) => [name, values.slice(0, steps)]),
    ),
  };
  if (intervals && intervals.levels.length > 0) {
    const bands = storedIntervals(stored, seriesId, point, intervals.levels, intervals.clipNegative);
    if (bands) answer.intervals = bands;
    else answer.notes = [NO_CALIBRATION_NOTE];
  }
  return answer;
}

/** One series' rows of a CSV export: the first `steps` dates and values, and the bands at the asked levels. */
export interface CsvSeries {
  seriesId: string;
  dates: readonly string[];
  values: ArrayLike<number>;
  steps: number;
  /** Null for a series without intervals: its bounds are left empty. */
  intervals: Intervals | null;
}

/**
 * A stored series as CSV rows, read from the stored forecast where it is (no forecast objects or member
 * copies, which a JSON answer needs and an export of a million rows does not); checked as
 * storedSeriesForecast checks it.
 */
export function storedCsvSeries(
  maybeStored: StoredForecasts | null,
  seriesId: string,
  horizon: number | undefined,
  intervals: IntervalRequest,
): CsvSeries {
  const { stored, steps } = checkStoredForecast(maybeStored, seriesId, horizon, intervals.levels);
  const { dates, values } = stored.series[seriesId];
  const point = steps === values.length ? values : values.slice(0, steps);
  const bands =
    intervals.levels.length === 0
      ? null
      : storedIntervals(stored, seriesId, point, intervals.levels, intervals.clipNegative);
  return { seriesId, dates, values, steps: point.length, intervals: bands };
}

const CSV_CHUNK_CHARS = 1 << 16;

/**
 * Rows `series_id,date,forecast` with a header, for spreadsheets, and `lo_L,hi_L` per asked level (empty for
 * a series without intervals); ids are quoted when they need it. Given in chunks of about 64 KiB, each made
 * when it is asked for, so an export of every series is never one string in memory.
 */
export function* forecastCsvChunks(
  series: Iterable<CsvSeries>,
  levels: readonly number[] = [],
): Generator<string> {
  const keys = levels.map(levelKey);
  let chunk = `${["series_id", "date", "forecast", ...keys.flatMap((k) => [`lo_${k}`, `hi_${k}`])].join(",")}\n`;
  const emptyBounds = ",,".repeat(keys.length);
  for (const { seriesId, dates, values, steps, intervals } of series) {
    const id = csvField(seriesId);
    const bands = intervals === null ? null : keys.map((k) => intervals[k]);
    // plain string concatenation, row by row: an export of 100k series is over a million rows
    for (let step = 0; step < steps; step++) {
      chunk += `${id},${dates[step]},${values[step]}`;
      if (bands === null) chunk += emptyBounds;
      else for (const band of bands) chunk += `,${band.lower[step]},${band.upper[step]}`;
      chunk += "\n";
    }
    if (chunk.length >= CSV_CHUNK_CHARS) {
      yield chunk;
      chunk = "";
    }
  }
  yield chunk;
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
