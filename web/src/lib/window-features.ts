import type { ModelFeatures, SeriesCovariates } from "../api/types.ts";

/** What a window route needs beside the sales from a model with features. */
export interface WindowFeatures {
  /** The first date of the window. */
  start: string;
  covariates: Record<string, number[]>;
}

/** The known-future covariates' values for the horizon, as a person typed them: name → one text per period. */
export type FutureCells = Record<string, string[]>;

/** The file's value of each covariate on each of `dates`; undefined where the file has no row. */
export function valuesOn(
  file: SeriesCovariates,
  name: string,
  dates: readonly string[],
): (number | undefined)[] {
  const at = new Map(file.dates.map((date, i) => [date, i]));
  const column = file.values[name] ?? [];
  return dates.map((date) => {
    const i = at.get(date);
    return i === undefined ? undefined : column[i];
  });
}

/**
 * The request's `start` and `covariates`: each covariate's window values from the file, then for a known-future
 * one the horizon values typed in `future`. A missing row or a cell that is not a number is an Error naming the
 * covariate and the date.
 */
export function windowFeatures(
  features: ModelFeatures,
  file: SeriesCovariates | undefined,
  windowDates: readonly string[],
  horizonDates: readonly string[],
  future: FutureCells,
): WindowFeatures | Error {
  const covariates: Record<string, number[]> = {};
  for (const { name, known_future } of features.covariates) {
    if (file === undefined)
      return new Error(`the covariate ${name} is unknown: the server sent no covariates`);
    const past = valuesOn(file, name, windowDates);
    const missing = past.indexOf(undefined);
    if (missing >= 0) {
      return new Error(`the covariates file has no ${name} for ${windowDates[missing]}, in the window`);
    }
    const values = past as number[];
    if (known_future) {
      const cells = future[name] ?? [];
      for (const [k, date] of horizonDates.entries()) {
        const text = (cells[k] ?? "").trim();
        if (text === "" || !Number.isFinite(Number(text))) {
          return new Error(`${name} for ${date} must be a number, got “${cells[k] ?? ""}”`);
        }
        values.push(Number(text));
      }
    }
    covariates[name] = values;
  }
  return { start: windowDates[0], covariates };
}

/** The horizon cells as the file has them (empty where it has no row): what the editor opens with. */
export function fileFutureCells(
  features: ModelFeatures,
  file: SeriesCovariates | undefined,
  horizonDates: readonly string[],
): FutureCells {
  const cells: FutureCells = {};
  for (const { name, known_future } of features.covariates) {
    if (!known_future) continue;
    cells[name] = horizonDates.map((date) => {
      const value = file ? valuesOn(file, name, [date])[0] : undefined;
      return value === undefined ? "" : String(value);
    });
  }
  return cells;
}
