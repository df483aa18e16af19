import { describe, expect, it } from "vitest";
import { iterateBatches, shuffledIndices } from "../../src/data/batches.ts";
import { loadSeries } from "../../src/data/load.ts";
import { fitSeriesNormalization } from "../../src/data/normalize.ts";
import type { WindowSet } from "../../src/data/types.ts";
import { buildWindowSets } from "../../src/data/windows.ts";
import { SALES_DATA_CSV } from "./temp-csv.ts";

/** A small seeded generator (mulberry32), standing in for the engine's. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Window i has x = [i, i, ...] and y = [-i, ...], so a batch row tells which window it holds. */
function labelledSet(count: number, windowSize: number, horizon: number): WindowSet {
  return {
    x: Float32Array.from({ length: count * windowSize }, (_, k) => Math.floor(k / windowSize)),
    y: Float32Array.from({ length: count * horizon }, (_, k) => -Math.floor(k / horizon)),
    seriesIndex: new Int32Array(count),
    count,
    windowSize,
    horizon,
  };
}

/** The window ids of each batch, read while it is current (the next batch reuses the buffers). */
function batchOrder(set: WindowSet, batchSize: number, random?: () => number): number[][] {
  const order: number[][] = [];
  for (const { x, size } of iterateBatches(set, batchSize, random)) {
    order.push(Array.from({ length: size }, (_, row) => x[row * set.windowSize]));
  }
  return order;
}

describe("iterateBatches", () => {
  it("gives batches of 32 windows of 14 on the original data, the last one partial", async () => {
    const { series } = await loadSeries({
      csv_path: SALES_DATA_CSV,
      format: "auto",
      date_column: "Date",
      series_column: "Product Category",
      value_column: "Total Amount",
      frequency: "D",
      window_size: 14,
      horizon: 1,
      short_series: "skip",
    });
    const options = { windowSize: 14, horizon: 1, validationFraction: 0.2 };
    const { train } = buildWindowSets(series, fitSeriesNormalization(series, options), options);
    // 366 days, trainEnd = 366 - round(73.2) = 293: origins 14..292 = 279 windows per series
    expect(train.count).toBe(3 * 279);
    const batches = [...iterateBatches(train, 32, seeded(42))].map(({ x, y, size }) => ({
      x: x.length,
      y: y.length,
      size,
    }));
    expect(batches).toHaveLength(27);
    expect(batches[0]).toEqual({ x: 32 * 14, y: 32 * 1, size: 32 });
    expect(batches[26]).toEqual({ x: 5 * 14, y: 5 * 1, size: 5 });
  });

  it("shapes y by the horizon and keeps x and y rows of the same window together", () => {
    const set = labelledSet(10, 4, 3);
    for (const { x, y, size } of iterateBatches(set, 4, seeded(1))) {
      expect(y).toHaveLength(size * 3);
      for (let row = 0; row < size; row++) {
        expect([...y.subarray(row * 3, row * 3 + 3)]).toEqual(Array(3).fill(-x[row * 4]));
      }
    }
  });

  it("yields every window exactly once, in order without a random source", () => {
    const set = labelledSet(10, 2, 1);
    expect(batchOrder(set, 4)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    const shuffled = batchOrder(set, 4, seeded(7));
    expect(shuffled.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(shuffled.flat()).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("gives the same batches for the same random sequence, other batches for another", () => {
    const set = labelledSet(100, 3, 1);
    expect(batchOrder(set, 16, seeded(42))).toEqual(batchOrder(set, 16, seeded(42)));
    expect(batchOrder(set, 16, seeded(42))).not.toEqual(batchOrder(set, 16, seeded(43)));
  });

  it("reuses its two buffers: a batch kept past the next one changes", () => {
    const batches = iterateBatches(labelledSet(4, 2, 1), 2);
    const first = batches.next().value;
    expect(first?.x[0]).toBe(0);
    batches.next();
    expect(first?.x[0]).toBe(2);
  });

  it("rejects a batch size that is not a positive integer", () => {
    expect(() => [...iterateBatches(labelledSet(3, 2, 1), 0)]).toThrow(RangeError);
  });
});

describe("shuffledIndices", () => {
  it("is Fisher-Yates: each slot from the end swaps with the one the generator picks", () => {
    // random() = 0 always swaps slot i with slot 0
    expect([...shuffledIndices(4, () => 0)]).toEqual([1, 2, 3, 0]);
    // random() = 0.5 picks slot floor(0.5 * (i + 1)): 3<->2, 2<->1, 1<->1
    expect([...shuffledIndices(4, () => 0.5)]).toEqual([0, 3, 1, 2]);
    // a generator returning 1 (out of its range) picks slot i itself, leaving the order
    expect([...shuffledIndices(4, () => 1)]).toEqual([0, 1, 2, 3]);
  });
});
