import { MIN_STD } from "./normalize.ts";
import type { NormalizationStats } from "./types.ts";

/**
 * How a model's input window is put on a common scale: `series` uses each series' stats from its training part
 * (the original design), `window` each window's own mean and standard deviation, so one model serves a series
 * at any level, including one it never saw, and a window ten times larger gets a forecast ten times larger.
 */
export type NormalizationMode = "series" | "window";

/**
 * A flat window has no spread to divide by: its std is floored at this share of its mean's size, and at 1 when
 * the window is all zeros, so near-constant windows are not blown up into noise (and scaling stays exact).
 */
export const WINDOW_STD_FLOOR = 0.05;

/** Mean and population std of `values[start .. end)` with the flat-window floor. */
export function windowStats(values: ArrayLike<number>, start = 0, end = values.length): NormalizationStats {
  const n = end - start;
  let sum = 0;
  for (let i = start; i < end; i++) sum += values[i];
  const mean = sum / n;
  let squares = 0;
  for (let i = start; i < end; i++) squares += (values[i] - mean) ** 2;
  const std = Math.max(Math.sqrt(squares / n), WINDOW_STD_FLOOR * Math.abs(mean));
  return { mean, std: std < MIN_STD ? 1 : std };
}

/** Picks the stats that scale one window of series `seriesIndex` (its raw values `window[start .. end)`). */
export type WindowScaler = (
  seriesIndex: number,
  values: ArrayLike<number>,
  start: number,
  end: number,
) => NormalizationStats;

export function seriesScaler(stats: readonly NormalizationStats[]): WindowScaler {
  return (seriesIndex) => stats[seriesIndex];
}

export const windowScaler: WindowScaler = (_seriesIndex, values, start, end) =>
  windowStats(values, start, end);

export function scalerFor(mode: NormalizationMode, stats: readonly NormalizationStats[]): WindowScaler {
  return mode === "window" ? windowScaler : seriesScaler(stats);
}
