import { type SeriesFeatures, writeFeatureWindow } from "../features/features.ts";
import { seriesScaler, type WindowScaler } from "./scaling.ts";
import { type SplitOptions, splitBounds } from "./split.ts";
import type { NormalizationStats, Series, WindowSet } from "./types.ts";

/**
 * Windows drawn by index: window i, scaled, is written where it is needed, so a trainer can visit a fixed
 * number of them per epoch without the whole set (windows × (window_size + horizon) floats) in memory.
 */
export interface WindowSource {
  readonly count: number;
  readonly windowSize: number;
  readonly horizon: number;
  /**
   * Floats of one input row: the window's `windowSize` values, then, for windows with features, their
   * `(windowSize + horizon) × features` standardized features (the networks' `inputWidth`).
   */
  readonly inputWidth: number;
  /** Writes window i's input row at `x[xOffset ..]` and its targets at `y[yOffset ..]`. */
  write(i: number, x: Float32Array, xOffset: number, y: Float32Array, yOffset: number): void;
}

/** A materialized set or a source: what the trainer and the ridge fit read. */
export type Windows = WindowSet | WindowSource;

/** Window origins t (first target index) `first, first+1, .. last`; empty when last < first. */
export interface OriginRange {
  first: number;
  last: number;
}

/** The training and validation origins of every series, as buildWindowSets packs them. */
export function originRanges(
  series: readonly Series[],
  options: SplitOptions,
): { train: OriginRange[]; validation: OriginRange[] } {
  const { windowSize, horizon } = options;
  const train: OriginRange[] = [];
  const validation: OriginRange[] = [];
  for (const { values } of series) {
    const { fitEnd, trainEnd } = splitBounds(values.length, options);
    train.push({ first: windowSize, last: trainEnd - horizon });
    validation.push({ first: Math.max(trainEnd, windowSize), last: fitEnd - horizon });
  }
  return { train, validation };
}

/**
 * The training and validation windows of every series, drawn by index, in buildWindowSets' order; with
 * `features`, each window's input row carries its features after its values.
 */
export function windowSources(
  series: readonly Series[],
  scaling: readonly NormalizationStats[] | WindowScaler,
  options: SplitOptions,
  features?: SeriesFeatures,
): { train: WindowSource; validation: WindowSource } {
  const scaler = typeof scaling === "function" ? scaling : seriesScaler(scaling);
  const raw = series.map(({ values }) => values);
  const { train, validation } = originRanges(series, options);
  const shape = { windowSize: options.windowSize, horizon: options.horizon, features };
  return {
    train: rangeSource(raw, scaler, train, shape),
    validation: rangeSource(raw, scaler, validation, shape),
  };
}

function rangeSource(
  raw: readonly Float64Array[],
  scaler: WindowScaler,
  ranges: readonly OriginRange[],
  shape: { windowSize: number; horizon: number; features?: SeriesFeatures },
): WindowSource {
  const { windowSize, horizon, features } = shape;
  const width = features ? features.layout.names.length : 0;
  // starts[s]: index of series s' first window; a binary search finds the series of window i
  const starts = new Float64Array(ranges.length + 1);
  ranges.forEach(({ first, last }, s) => {
    starts[s + 1] = starts[s] + Math.max(0, last - first + 1);
  });
  const count = starts[ranges.length];
  return {
    count,
    windowSize,
    horizon,
    inputWidth: windowSize + (windowSize + horizon) * width,
    write(i, x, xOffset, y, yOffset) {
      if (!(i >= 0 && i < count)) throw new RangeError(`window ${i} is outside 0..${count - 1}`);
      let low = 0;
      let high = ranges.length - 1;
      while (low < high) {
        const middle = (low + high + 1) >> 1;
        if (starts[middle] <= i) low = middle;
        else high = middle - 1;
      }
      const s = low;
      const t = ranges[s].first + (i - starts[s]);
      const values = raw[s];
      const stats = scaler(s, values, t - windowSize, t);
      for (let k = 0; k < windowSize; k++)
        x[xOffset + k] = (values[t - windowSize + k] - stats.mean) / stats.std;
      for (let k = 0; k < horizon; k++) y[yOffset + k] = (values[t + k] - stats.mean) / stats.std;
      if (features) writeFeatureWindow(features, s, t, windowSize, horizon, x, xOffset + windowSize);
    },
  };
}

/** Reads a materialized set through the same interface. */
export function asWindowSource(windows: Windows): WindowSource {
  if (!("x" in windows)) return windows;
  const { x: setX, y: setY, count, windowSize, horizon } = windows;
  return {
    count,
    windowSize,
    horizon,
    inputWidth: windowSize,
    write(i, x, xOffset, y, yOffset) {
      x.set(setX.subarray(i * windowSize, (i + 1) * windowSize), xOffset);
      y.set(setY.subarray(i * horizon, (i + 1) * horizon), yOffset);
    },
  };
}

/** `a`'s windows, then `b`'s. */
export function concatWindowSources(a: Windows, b: Windows): WindowSource {
  const first = asWindowSource(a);
  const second = asWindowSource(b);
  if (first.inputWidth !== second.inputWidth) {
    throw new RangeError(`cannot join rows of ${first.inputWidth} and ${second.inputWidth} floats`);
  }
  return {
    count: first.count + second.count,
    windowSize: first.windowSize,
    horizon: first.horizon,
    inputWidth: first.inputWidth,
    write(i, x, xOffset, y, yOffset) {
      if (i < first.count) first.write(i, x, xOffset, y, yOffset);
      else second.write(i - first.count, x, xOffset, y, yOffset);
    },
  };
}

/** The windows at `indices` of `windows`, in that order. */
export function pickWindows(windows: Windows, indices: Int32Array): WindowSource {
  const source = asWindowSource(windows);
  return {
    count: indices.length,
    windowSize: source.windowSize,
    horizon: source.horizon,
    inputWidth: source.inputWidth,
    write: (i, x, xOffset, y, yOffset) => source.write(indices[i], x, xOffset, y, yOffset),
  };
}

/**
 * `size` distinct window indices of `count` drawn by a partial Fisher-Yates shuffle from `random` (all of them,
 * in order, when size ≥ count). Memory is the sample, plus a map of the slots swapped so far.
 */
export function sampleIndices(count: number, size: number, random: () => number): Int32Array {
  if (size >= count) return Int32Array.from({ length: count }, (_, i) => i);
  const swapped = new Map<number, number>();
  const sample = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const j = i + Math.min(Math.floor(random() * (count - i)), count - i - 1);
    sample[i] = swapped.get(j) ?? j;
    swapped.set(j, swapped.get(i) ?? i);
  }
  return sample;
}
