import { type SplitOptions, splitBounds } from "./split.ts";
import type { NormalizationStats, Series } from "./types.ts";

/** Below this a series is taken as constant and scaled by 1, so nothing divides by ~0. */
export const MIN_STD = 1e-8;

/** Mean and population standard deviation of `values[0 .. end)`: only the training part, so nothing leaks. */
export function fitNormalization(values: ArrayLike<number>, end: number = values.length): NormalizationStats {
  if (!Number.isInteger(end) || end < 1 || end > values.length) {
    throw new RangeError(`fitNormalization: end must be an integer in [1, ${values.length}], got ${end}`);
  }
  let sum = 0;
  for (let i = 0; i < end; i++) sum += values[i];
  const mean = sum / end;
  let squares = 0;
  for (let i = 0; i < end; i++) squares += (values[i] - mean) ** 2;
  const std = Math.sqrt(squares / end);
  return { mean, std: std < MIN_STD ? 1 : std };
}

/** Each series' stats, fitted on its own training part `[0, trainEnd)`. */
export function fitSeriesNormalization(
  series: readonly Series[],
  options: SplitOptions,
): NormalizationStats[] {
  return series.map(({ values }) => fitNormalization(values, splitBounds(values.length, options).trainEnd));
}

/** All series' training parts pooled: the stats for a forecast that names no series (format 1's rule). */
export function fitPooledNormalization(series: readonly Series[], options: SplitOptions): NormalizationStats {
  const parts = series.map(({ values }) => values.subarray(0, splitBounds(values.length, options).trainEnd));
  const pooled = new Float64Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    pooled.set(part, offset);
    offset += part.length;
  }
  return fitNormalization(pooled);
}

/** Model input: (value - mean) / std, as float32. */
export function normalize(values: ArrayLike<number>, stats: NormalizationStats): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = (values[i] - stats.mean) / stats.std;
  return out;
}

/** Back to sales units: value * std + mean. */
export function denormalize(values: ArrayLike<number>, stats: NormalizationStats): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] * stats.std + stats.mean;
  return out;
}
