import { DataError } from "./errors.ts";
import { periodDate } from "./series-dates.ts";
import type { Series } from "./types.ts";

export interface SplitOptions {
  windowSize: number;
  horizon: number;
  /** Share of the fitting part, at its end, kept for validation (early stopping). */
  validationFraction: number;
  /** Points at the end of the fitting part kept for validation, instead of the share (cross-validation's span). */
  validationLength?: number;
  /** Last points of each series kept out as a backtest's test set; 0 (the default) in plain training. */
  holdout?: number;
}

/**
 * Chronological boundaries of one series: `[0, trainEnd)` trains (and fits the normalization),
 * `[trainEnd, fitEnd)` validates, `[fitEnd, length)` is the holdout. A window ending at t has
 * x = values[t-W .. t) and y = values[t .. t+h); training windows keep y inside [W, trainEnd), validation
 * windows start y at or after trainEnd and end it by fitEnd (their x may reach back into training).
 */
export interface SplitBounds {
  fitEnd: number;
  trainEnd: number;
}

/**
 * The validation part is `validationLength` points when given, else round(v·fitEnd) points, but when v > 0 at
 * least h points, so it holds at least one
 * window; it shrinks so training keeps at least one window (trainEnd >= W + h), and is dropped (0) if fewer
 * than h points would remain for it.
 */
export function splitBounds(length: number, options: SplitOptions): SplitBounds {
  const { windowSize, horizon, validationFraction } = options;
  const fitEnd = length - checkedHoldout(length, options.holdout ?? 0);
  let validation = 0;
  if (validationFraction > 0 || options.validationLength !== undefined) {
    const wanted = options.validationLength ?? Math.max(Math.round(validationFraction * fitEnd), horizon);
    const room = fitEnd - (windowSize + horizon);
    validation = Math.min(wanted, room);
    if (validation < horizon) validation = 0;
  }
  return { fitEnd, trainEnd: fitEnd - validation };
}

/** A backtest's split: the last `holdout` points are the test set, everything before is for fitting. */
export function holdoutSplit(series: Series, holdout: number): { fit: Series; test: Series } {
  const fitEnd = series.values.length - checkedHoldout(series.values.length, holdout);
  const part = (start: number, end: number): Series => ({
    id: series.id,
    frequency: series.frequency,
    start: periodDate(series, start),
    values: series.values.slice(start, end),
  });
  return { fit: part(0, fitEnd), test: part(fitEnd, series.values.length) };
}

function checkedHoldout(length: number, holdout: number): number {
  if (!Number.isInteger(holdout) || holdout < 0 || holdout >= length) {
    throw new DataError(
      `holdout must be an integer in [0, ${length}) for a series of ${length} points, got ${holdout}`,
    );
  }
  return holdout;
}
