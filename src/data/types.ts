import type { Frequency } from "../config/index.ts";

export type { Frequency };

/**
 * One regular series: one value per period from `start` (the ISO first day of period 0), no period missing.
 * Dates are not kept per point: `periodDate(series, i)` gives period i's.
 */
export interface Series {
  id: string;
  frequency: Frequency;
  start: string;
  values: Float64Array;
}

/** Per-series scaling fitted on the training part only. */
export interface NormalizationStats {
  mean: number;
  std: number;
}

/**
 * Sliding windows of many series packed row-major: window i is `x[i*windowSize .. (i+1)*windowSize)`,
 * its targets `y[i*horizon .. (i+1)*horizon)`, and it came from series `seriesIndex[i]`.
 */
export interface WindowSet {
  x: Float32Array;
  y: Float32Array;
  seriesIndex: Int32Array;
  count: number;
  windowSize: number;
  horizon: number;
}
