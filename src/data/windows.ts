import { DataError } from "./errors.ts";
import { seriesScaler, type WindowScaler } from "./scaling.ts";
import type { SplitOptions } from "./split.ts";
import type { NormalizationStats, Series, WindowSet } from "./types.ts";
import { type OriginRange, originRanges } from "./window-source.ts";

/**
 * The training and validation windows of every series, each window and its targets scaled by the stats the
 * scaler picks (its series' stats, or the window's own), so one global model can train on many series at once.
 * Series order is kept; within a series, windows run forward.
 */
export function buildWindowSets(
  series: readonly Series[],
  scaling: readonly NormalizationStats[] | WindowScaler,
  options: SplitOptions,
): { train: WindowSet; validation: WindowSet } {
  const scaler = asScaler(series, scaling);
  const { windowSize, horizon } = options;
  const { train, validation } = originRanges(series, options);
  const raw = series.map(({ values }) => values);
  return {
    train: packWindows(raw, scaler, train, windowSize, horizon),
    validation: packWindows(raw, scaler, validation, windowSize, horizon),
  };
}

function asScaler(
  series: readonly Series[],
  scaling: readonly NormalizationStats[] | WindowScaler,
): WindowScaler {
  if (typeof scaling === "function") return scaling;
  checkStatsPerSeries(series, scaling);
  return seriesScaler(scaling);
}

/** Writes `(values[from + i] - mean) / std` for i < count into `out` at `offset`. */
function writeScaled(
  out: Float32Array,
  offset: number,
  values: Float64Array,
  from: number,
  count: number,
  stats: NormalizationStats,
): void {
  for (let i = 0; i < count; i++) out[offset + i] = (values[from + i] - stats.mean) / stats.std;
}

function packWindows(
  raw: readonly Float64Array[],
  scaler: WindowScaler,
  ranges: readonly OriginRange[],
  windowSize: number,
  horizon: number,
): WindowSet {
  const count = ranges.reduce((total, range) => total + rangeSize(range), 0);
  const set: WindowSet = {
    x: new Float32Array(count * windowSize),
    y: new Float32Array(count * horizon),
    seriesIndex: new Int32Array(count),
    count,
    windowSize,
    horizon,
  };
  let i = 0;
  ranges.forEach(({ first, last }, s) => {
    const values = raw[s];
    for (let t = first; t <= last; t++, i++) {
      const stats = scaler(s, values, t - windowSize, t);
      writeScaled(set.x, i * windowSize, values, t - windowSize, windowSize, stats);
      writeScaled(set.y, i * horizon, values, t, horizon, stats);
      set.seriesIndex[i] = s;
    }
  });
  return set;
}

function rangeSize({ first, last }: OriginRange): number {
  return Math.max(0, last - first + 1);
}

/**
 * The normalized last `windowSize` values before each series' forecast origin (its end, or `holdout` points
 * before it for a backtest), packed row-major: row s is series s. The input for forecasting after training.
 */
export function lastWindows(
  series: readonly Series[],
  scaling: readonly NormalizationStats[] | WindowScaler,
  windowSize: number,
  holdout = 0,
): Float32Array {
  const scaler = asScaler(series, scaling);
  const x = new Float32Array(series.length * windowSize);
  series.forEach(({ id, values }, s) => {
    const end = values.length - holdout;
    if (end < windowSize) {
      throw new DataError(
        `series "${id}" has ${end} points before its forecast origin, fewer than ${windowSize}`,
      );
    }
    writeScaled(
      x,
      s * windowSize,
      values,
      end - windowSize,
      windowSize,
      scaler(s, values, end - windowSize, end),
    );
  });
  return x;
}

function checkStatsPerSeries(series: readonly Series[], stats: readonly NormalizationStats[]): void {
  if (stats.length !== series.length) {
    throw new RangeError(
      `need one NormalizationStats per series: ${series.length} series, ${stats.length} stats`,
    );
  }
}
