import { formatIsoDay, parseIsoDay } from "../data/dates.ts";
import {
  type Frequency,
  type LoadConfig,
  lastPeriodDate,
  loadSeries,
  periodDate,
  periodDates,
  type Series,
} from "../data/index.ts";
import { type CovariateTable, covariateRowsOf, readCovariates } from "../features/covariates-file.ts";

/** What the series list shows about one series. */
export interface SeriesSummary {
  id: string;
  frequency: Frequency;
  length: number;
  first_date: string;
  last_date: string;
  last_value: number;
}

/** A stretch of one series' history: `values[i]` is the total of the period starting on `dates[i]`. */
export interface SeriesHistory {
  id: string;
  frequency: Frequency;
  dates: string[];
  values: number[];
}

/**
 * The rows of the configured covariates file for one series (or the shared rows), within a range: `dates`
 * ascending, also past the last sale where the file reaches the horizon; `values[name][i]` is on `dates[i]`.
 */
export interface SeriesCovariates {
  id: string;
  names: string[];
  /** The columns `data.known_future` names: known ahead, so a forecast's horizon reads them. */
  known_future: string[];
  dates: string[];
  values: Record<string, number[]>;
}

/** Both ends inclusive, ISO `YYYY-MM-DD`; a missing end is open. */
export interface DateRange {
  start?: string;
  end?: string;
}

/** The configured sales history, loaded once and held in memory for the dashboard's API. */
export interface SeriesCatalog {
  list(): SeriesSummary[];
  /** The history of a known series within the range, or undefined for an unknown id. */
  history(id: string, range?: DateRange): SeriesHistory | undefined;
  /**
   * The covariate rows of a known series within the range; undefined for an unknown id, null when the config
   * names no covariates file.
   */
  covariates(id: string, range?: DateRange): SeriesCovariates | undefined | null;
}

interface Entry {
  summary: SeriesSummary;
  series: Series;
}

/** The catalog is not there: still being read at the server's start, or its file could not be read. */
export class CatalogUnavailableError extends Error {
  override name = "CatalogUnavailableError";
}

/**
 * A catalog read in the background, so that a server over a large history listens (and forecasts) at once:
 * until the read ends, and after a failed one, list and history throw CatalogUnavailableError saying which.
 */
export function backgroundSeriesCatalog(loading: Promise<SeriesCatalog>, source: string): SeriesCatalog {
  let ready: SeriesCatalog | undefined;
  let problem = `the sales history (${source}) is still being read at the server's start; try again shortly`;
  loading.then(
    (catalog) => {
      ready = catalog;
    },
    (error: Error) => {
      problem = `the sales history could not be read from ${source}: ${error.message}`;
    },
  );
  const current = (): SeriesCatalog => {
    if (ready === undefined) throw new CatalogUnavailableError(problem);
    return ready;
  };
  return {
    list: () => current().list(),
    history: (id, range) => current().history(id, range),
    covariates: (id, range) => current().covariates(id, range),
  };
}

/** The covariates file of the config, as training reads it. */
export interface CovariatesConfig {
  covariates_path?: string;
  known_future?: string[];
}

/** Reads the configured CSV once (as training does), and the covariates file if one is named. */
export async function loadSeriesCatalog(config: LoadConfig & CovariatesConfig): Promise<SeriesCatalog> {
  const { series } = await loadSeries(config);
  const { covariates_path: file = "", known_future: known = [] } = config;
  const covariates = file === "" ? undefined : { table: await readCovariates(file, known), known };
  return createSeriesCatalog(series, covariates);
}

/**
 * Builds the catalog over already loaded series. Ids are only ever Map keys here: a request's id is looked
 * up, never used to build a path.
 */
export function createSeriesCatalog(
  series: readonly Series[],
  covariates?: { table: CovariateTable; known: readonly string[] },
): SeriesCatalog {
  const entries = new Map<string, Entry>();
  for (const one of series) {
    const last = one.values.length - 1;
    entries.set(one.id, {
      summary: {
        id: one.id,
        frequency: one.frequency,
        length: one.values.length,
        first_date: one.start,
        last_date: lastPeriodDate(one),
        last_value: one.values[last],
      },
      series: one,
    });
  }
  return {
    list: () => Array.from(entries.values(), (entry) => entry.summary),
    history(id, range = {}) {
      const entry = entries.get(id);
      if (entry === undefined) return undefined;
      const one = entry.series;
      // ISO dates sort as text, and a series' periods ascend
      const dateAt = (index: number) => periodDate(one, index);
      const length = one.values.length;
      const from =
        range.start === undefined ? 0 : lowerBound(length, (i) => dateAt(i) >= (range.start as string));
      const to =
        range.end === undefined ? length : lowerBound(length, (i) => dateAt(i) > (range.end as string));
      return {
        id,
        frequency: one.frequency,
        dates: periodDates(one, from, to),
        values: Array.from(one.values.subarray(from, Math.max(from, to))),
      };
    },
    covariates(id, range = {}) {
      if (!entries.has(id)) return undefined;
      if (covariates === undefined) return null;
      const { table, known } = covariates;
      const rows = table.shared || table.bySeries.has(id) ? covariateRowsOf(table, id) : new Map();
      const first = range.start === undefined ? -Infinity : (parseIsoDay(range.start) as number);
      const last = range.end === undefined ? Infinity : (parseIsoDay(range.end) as number);
      const days = [...rows.keys()].filter((day) => day >= first && day <= last).sort((a, b) => a - b);
      const values = Object.fromEntries(
        table.names.map((name, c) => [name, days.map((day) => (rows.get(day) as Float64Array)[c])]),
      );
      return {
        id,
        names: table.names,
        known_future: table.names.filter((name) => known.includes(name)),
        dates: days.map(formatIsoDay),
        values,
      };
    },
  };
}

/** The first index in [0, length) where `isPast` holds, for a predicate false and then true along the series. */
function lowerBound(length: number, isPast: (index: number) => boolean): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (isPast(mid)) high = mid;
    else low = mid + 1;
  }
  return low;
}
