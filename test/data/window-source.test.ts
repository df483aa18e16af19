import { describe, expect, it } from "vitest";
import { iterateBatches } from "../../src/data/batches.ts";
import { fitSeriesNormalization } from "../../src/data/normalize.ts";
import { scalerFor } from "../../src/data/scaling.ts";
import type { Series, WindowSet } from "../../src/data/types.ts";
import {
  concatWindowSources,
  pickWindows,
  sampleIndices,
  type WindowSource,
  windowSources,
} from "../../src/data/window-source.ts";
import { buildWindowSets } from "../../src/data/windows.ts";
import { Rng } from "../../src/model/rng.ts";

function noisy(id: string, length: number, seed: number): Series {
  const rng = new Rng(seed);
  return {
    id,
    frequency: "D",
    start: "2023-01-01",
    values: Float64Array.from({ length }, (_, i) => 50 + 10 * Math.sin(i / 3) + 5 * rng.normal()),
  };
}

/** Every window of a source, drawn one by one by index, as a packed set's x and y. */
function drawAll(source: WindowSource): { x: Float32Array; y: Float32Array } {
  const x = new Float32Array(source.count * source.windowSize);
  const y = new Float32Array(source.count * source.horizon);
  for (let i = 0; i < source.count; i++) source.write(i, x, i * source.windowSize, y, i * source.horizon);
  return { x, y };
}

const packed = (set: WindowSet) => ({ x: set.x, y: set.y });

describe("windowSources", () => {
  // three series of different lengths, one too short for any validation window
  const series = [noisy("a", 60, 1), noisy("b", 23, 2), noisy("c", 11, 3)];
  const options = { windowSize: 5, horizon: 3, validationFraction: 0.2 };

  for (const mode of ["series", "window"] as const) {
    it(`draws by index exactly the windows buildWindowSets packs (${mode} normalization)`, () => {
      const scaler = scalerFor(mode, fitSeriesNormalization(series, options));
      const sets = buildWindowSets(series, scaler, options);
      const sources = windowSources(series, scaler, options);
      expect(sources.train.count).toBe(sets.train.count);
      expect(sources.validation.count).toBe(sets.validation.count);
      expect(sets.train.count).toBeGreaterThan(40);
      expect(drawAll(sources.train)).toEqual(packed(sets.train));
      expect(drawAll(sources.validation)).toEqual(packed(sets.validation));
    });
  }

  it("gives the same shuffled batches as the packed set", () => {
    const scaler = scalerFor("series", fitSeriesNormalization(series, options));
    const { train } = buildWindowSets(series, scaler, options);
    const source = windowSources(series, scaler, options).train;
    const batches = (w: WindowSet | WindowSource) => {
      const rng = new Rng(7);
      return [...iterateBatches(w, 8, () => rng.uniform())].map(({ x, y, size }) => ({
        x: [...x],
        y: [...y],
        size,
      }));
    };
    expect(batches(source)).toEqual(batches(train));
  });

  it("refuses an index outside the set", () => {
    const { train } = windowSources(
      series,
      [...Array(3)].map(() => ({ mean: 0, std: 1 })),
      options,
    );
    const x = new Float32Array(5);
    const y = new Float32Array(3);
    expect(() => train.write(train.count, x, 0, y, 0)).toThrow(RangeError);
    expect(() => train.write(-1, x, 0, y, 0)).toThrow(RangeError);
  });

  it("concatenates and picks windows by index", () => {
    const stats = [...Array(3)].map(() => ({ mean: 0, std: 1 }));
    const sets = buildWindowSets(series, stats, options);
    const sources = windowSources(series, stats, options);
    const both = drawAll(concatWindowSources(sources.train, sources.validation));
    expect([...both.x]).toEqual([...sets.train.x, ...sets.validation.x]);
    const picked = drawAll(pickWindows(sets.train, Int32Array.of(4, 0, 4)));
    const w = options.windowSize;
    expect([...picked.x]).toEqual([
      ...sets.train.x.subarray(4 * w, 5 * w),
      ...sets.train.x.subarray(0, w),
      ...sets.train.x.subarray(4 * w, 5 * w),
    ]);
  });
});

describe("sampleIndices", () => {
  it("draws distinct indices, the same for the same seed, all of them in order when asked for more", () => {
    const draw = (seed: number) => {
      const rng = new Rng(seed);
      return [...sampleIndices(1000, 100, () => rng.uniform())];
    };
    const sample = draw(3);
    expect(new Set(sample).size).toBe(100);
    expect(sample.every((i) => i >= 0 && i < 1000)).toBe(true);
    expect(draw(3)).toEqual(sample);
    expect(draw(4)).not.toEqual(sample);
    expect([...sampleIndices(4, 10, () => 0.5)]).toEqual([0, 1, 2, 3]);
  });

  it("is uniform enough: each index of 10 drawn about equally often in 3 of 10", () => {
    const rng = new Rng(11);
    const counts = new Array(10).fill(0);
    for (let round = 0; round < 10_000; round++) {
      for (const i of sampleIndices(10, 3, () => rng.uniform())) counts[i]++;
    }
    // each index: 3,000 expected, sd about 46
    for (const count of counts) expect(Math.abs(count - 3000)).toBeLessThan(250);
  });
});
