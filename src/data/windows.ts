import { DataError } from "./errors.ts";
import { normalize } from "./normalize.ts";
import { type SplitOptions, splitBounds } from "./split.ts";
import type { NormalizationStats, Series, WindowSet } from "./types.ts";

/** Window origins t (first target index) `first, first+1, .. last`; empty when last < first. */
interface OriginRange {
  first: number;
  last: number;
}

/**
 * The training and validation windows of every series, each normalized with its own series' stats, so one
 * global model can train on many series at once. Series order is kept; within a series, windows run forward.
 */
export function buildWindowSets(
  series: readonly Series[],
  stats: readonly NormalizationStats[],
  options: SplitOptions,
): { train: WindowSet; validation: WindowSet } {
  checkStatsPerSeries(series, stats);
  const { windowSize, horizon } = options;
  const train: OriginRange[] = [];
  const validation: OriginRange[] = [];
  for (const { values } of series) {
    const { fitEnd, trainEnd } = splitBounds(values.length, options);
    train.push({ first: windowSize, last: trainEnd - horizon });
    validation.push({ first: Math.max(trainEnd, windowSize), last: fitEnd - horizon });
  }
  const normalized = series.map(({ values }, s) => normalize(values, stats[s]));
  return {
    train: packWindows(normalized, train, windowSize, horizon),
    validation: packWindows(normalized, validation, windowSize, horizon),
  };
}

function packWindows(
  normalized: readonly Float32Array[],
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
    const values = normalized[s];
    for (let t = first; t <= last; t++, i++) {
      set.x.set(values.subarray(t - windowSize, t), i * windowSize);
      set.y.set(values.subarray(t, t + horizon), i * horizon);
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
  stats: readonly NormalizationStats[],
  windowSize: number,
  holdout = 0,
): Float32Array {
  checkStatsPerSeries(series, stats);
  const x = new Float32Array(series.length * windowSize);
  series.forEach(({ id, values }, s) => {
    const end = values.length - holdout;
    if (end < windowSize) {
      throw new DataError(
        `series "${id}" has ${end} points before its forecast origin, fewer than ${windowSize}`,
      );
    }
    x.set(normalize(values.subarray(end - windowSize, end), stats[s]), s * windowSize);
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
