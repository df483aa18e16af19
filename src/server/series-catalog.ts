import { type Frequency, type LoadConfig, loadSeries, type Series } from "../data/index.ts";

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
}

interface Entry {
  summary: SeriesSummary;
  dates: string[];
  values: number[];
}

/** Reads the configured CSV once (as training does) and keeps every series in memory. */
export async function loadSeriesCatalog(config: LoadConfig): Promise<SeriesCatalog> {
  const { series } = await loadSeries(config);
  return createSeriesCatalog(series);
}

/**
 * Builds the catalog over already loaded series. Ids are only ever Map keys here: a request's id is looked
 * up, never used to build a path.
 */
export function createSeriesCatalog(series: readonly Series[]): SeriesCatalog {
  const entries = new Map<string, Entry>();
  for (const one of series) {
    const values = Array.from(one.values);
    const last = values.length - 1;
    entries.set(one.id, {
      summary: {
        id: one.id,
        frequency: one.frequency,
        length: values.length,
        first_date: one.dates[0],
        last_date: one.dates[last],
        last_value: values[last],
      },
      dates: one.dates,
      values,
    });
  }
  return {
    list: () => Array.from(entries.values(), (entry) => entry.summary),
    history(id, range = {}) {
      const entry = entries.get(id);
      if (entry === undefined) return undefined;
      // ISO dates sort as text, and a series' dates are ascending
      const from = range.start === undefined ? 0 : firstIndexAtOrAfter(entry.dates, range.start);
      const to = range.end === undefined ? entry.dates.length : firstIndexAfter(entry.dates, range.end);
      return {
        id,
        frequency: entry.summary.frequency,
        dates: entry.dates.slice(from, to),
        values: entry.values.slice(from, to),
      };
    },
  };
}

function firstIndexAtOrAfter(dates: readonly string[], date: string): number {
  return lowerBound(dates, (d) => d >= date);
}

function firstIndexAfter(dates: readonly string[], date: string): number {
  return lowerBound(dates, (d) => d > date);
}

/** The first index where `isPast` holds, for a predicate that is false and then true along `dates`. */
function lowerBound(dates: readonly string[], isPast: (date: string) => boolean): number {
  let low = 0;
  let high = dates.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (isPast(dates[mid])) high = mid;
    else low = mid + 1;
  }
  return low;
}
