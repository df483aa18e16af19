import { asWindowSource, type Windows } from "./window-source.ts";

/** `x` is `[size * inputWidth]`, `y` is `[size * horizon]`, row i of both being the same window. */
export interface Batch {
  x: Float32Array;
  y: Float32Array;
  size: number;
}

/**
 * Yields every window once (of a set, or drawn by index from a source), in batches of `batchSize` (the last one may be smaller). With `random` (a seeded
 * generator in [0, 1), e.g. the engine's) the order is a Fisher-Yates shuffle driven by it, so the same
 * sequence gives the same batches; without it the windows come in order, for evaluation.
 * The yielded arrays are views of two buffers reused for every batch: copy them to keep one.
 */
export function* iterateBatches(
  windows: Windows,
  batchSize: number,
  random?: () => number,
): Generator<Batch> {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  const set = asWindowSource(windows);
  const { inputWidth, horizon, count } = set;
  const order = random ? shuffledIndices(count, random) : undefined;
  const x = new Float32Array(batchSize * inputWidth);
  const y = new Float32Array(batchSize * horizon);
  for (let start = 0; start < count; start += batchSize) {
    const size = Math.min(batchSize, count - start);
    for (let row = 0; row < size; row++) {
      const window = order ? order[start + row] : start + row;
      set.write(window, x, row * inputWidth, y, row * horizon);
    }
    yield { x: x.subarray(0, size * inputWidth), y: y.subarray(0, size * horizon), size };
  }
}

/** A permutation of 0..count-1 by Fisher-Yates, swapping each slot from the end with one drawn at or before it. */
export function shuffledIndices(count: number, random: () => number): Int32Array {
  const indices = new Int32Array(count);
  for (let i = 0; i < count; i++) indices[i] = i;
  for (let i = count - 1; i > 0; i--) {
    // min() guards a generator that returns exactly 1
    const j = Math.min(Math.floor(random() * (i + 1)), i);
    [indices[i], indices[j]] = [indices[j], indices[i]];
  }
  return indices;
}
