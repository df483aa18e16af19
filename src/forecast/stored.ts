import type { StoredForecasts } from "../artifact/index.ts";
import { ForecastInputError } from "./forecaster.ts";

/** One series' stored forecast as the API and the CLI give it, cut to the asked horizon. */
export interface SeriesForecast {
  series_id: string;
  forecast: { date: string; value: number }[];
  members: Record<string, number[]>;
}

/**
 * The forecast a model stored at training for `seriesId`, from the end of its training data: the ensemble's
 * values with their dates, and each member's. A horizon beyond the trained one, a series the model has no
 * forecast for, or a model that stores none are ForecastInputErrors naming what is wrong.
 */
export function storedSeriesForecast(
  stored: StoredForecasts | null,
  seriesId: string,
  horizon?: number,
): SeriesForecast {
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
  const entry = Object.hasOwn(stored.series, seriesId) ? stored.series[seriesId] : undefined;
  if (entry === undefined) {
    throw new ForecastInputError(`no stored forecast for series '${seriesId}'`, "unknown_series");
  }
  return {
    series_id: seriesId,
    forecast: entry.values.slice(0, steps).map((value, k) => ({ date: entry.dates[k], value })),
    members: Object.fromEntries(
      Object.entries(entry.members).map(([name, values]) => [name, values.slice(0, steps)]),
    ),
  };
}

/** Rows `series_id,date,forecast` with a header, for spreadsheets; ids are quoted when they need it. */
export function forecastsCsv(forecasts: readonly SeriesForecast[]): string {
  const lines = ["series_id,date,forecast"];
  for (const { series_id, forecast } of forecasts) {
    const id = csvField(series_id);
    for (const { date, value } of forecast) lines.push(`${id},${date},${value}`);
  }
  return `${lines.join("\n")}\n`;
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
