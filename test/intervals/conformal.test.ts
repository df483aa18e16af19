import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bandAround,
  conformalQuantile,
  conformalScores,
  historyScale,
  levelQuantiles,
  POOL_WEIGHT,
  seriesQuantiles,
  thinnedScores,
} from "../../src/intervals/index.ts";

describe("conformalQuantile", () => {
  it("takes the ⌈(n+1)·L/100⌉-th smallest score, and the largest past what n scores can certify", () => {
    const scores = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    expect(conformalQuantile(scores, 80)).toBe(8); // ⌈10·0.8⌉ = 8
    expect(conformalQuantile(scores, 50)).toBe(5); // ⌈10·0.5⌉ = 5
    expect(conformalQuantile(scores, 95)).toBe(9); // ⌈9.5⌉ = 10 > 9: the largest
    expect(conformalQuantile(scores, 1)).toBe(1);
    expect(conformalQuantile([], 80)).toBeNaN();
  });
});

describe("conformalScores", () => {
  it("divides each absolute error by its origin's scale, per step, pooled and per series", () => {
    const scores = conformalScores(
      [[Float64Array.of(10, 20)], [Float64Array.of(5, 5), Float64Array.of(7, 1)]],
      [[Float64Array.of(12, 14)], [Float64Array.of(4, 9), Float64Array.of(7, 3)]],
      [[2], [1, 4]],
      2,
    );
    expect(scores.series).toEqual([
      [[1], [3]],
      [
        [0, 1],
        [0.5, 4],
      ],
    ]);
    expect(scores.pooled).toEqual([
      [0, 1, 1],
      [0.5, 3, 4],
    ]);
  });
});

describe("seriesQuantiles", () => {
  it("scales the pooled quantile by the series' own factor, shrunk toward 1 by its count", () => {
    const scores = { pooled: [[0.5, 1, 2, 3]], series: [] };
    // Pooled at 80%: ⌈5·0.8⌉ = 4th = 3. Own ratio 1/3, alone its own quantile; shrunk: (1/3 + 10) / 11.
    const [q] = seriesQuantiles(scores, [[1]], 80);
    expect(POOL_WEIGHT).toBe(10);
    expect(q).toBeCloseTo(3 * ((1 / 3 + 10) / 11), 12);
    expect(seriesQuantiles(scores, null, 80)).toEqual([3]);
  });

  it("never narrows with the step", () => {
    const scores = { pooled: [[5], [1], [7], [2]], series: [] };
    expect(seriesQuantiles(scores, null, 50)).toEqual([5, 5, 7, 7]);
  });
});

describe("bandAround", () => {
  it("is the point ± quantile × scale, the lower bound clipped at 0 when forecasts are", () => {
    expect(bandAround([10, 1], [2, 3], 2, true)).toEqual({ lower: [6, 0], upper: [14, 7] });
    expect(bandAround([10, 1], [2, 3], 2, false)).toEqual({ lower: [6, -5], upper: [14, 7] });
  });

  it("keeps lower ≤ point ≤ upper, and wider levels around narrower ones, also after clipping", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.double({ min: 0, max: 50, noNaN: true }), { minLength: 2, maxLength: 40 }),
        fc.double({ min: 1e-3, max: 1e4, noNaN: true }),
        (point, raw, scale) => {
          const scores = { pooled: point.map(() => [...raw].sort((a, b) => a - b)), series: [] };
          const narrow = bandAround(point, seriesQuantiles(scores, null, 80), scale, true);
          const wide = bandAround(point, seriesQuantiles(scores, null, 95), scale, true);
          point.forEach((p, h) => {
            expect(wide.lower[h]).toBeGreaterThanOrEqual(0);
            expect(wide.lower[h]).toBeLessThanOrEqual(narrow.lower[h]);
            expect(narrow.lower[h]).toBeLessThanOrEqual(p);
            expect(p).toBeLessThanOrEqual(narrow.upper[h]);
            expect(narrow.upper[h]).toBeLessThanOrEqual(wide.upper[h]);
          });
        },
      ),
    );
  });
});

describe("historyScale", () => {
  it("is the seasonal naive's MAE, else the naive's, else the mean size, else 1", () => {
    expect(historyScale([1, 2, 4, 8], 2)).toBe(4.5); // |4−1|, |8−2|
    expect(historyScale([3, 3, 5], 2)).toBe(2); // seasonal: |5−3| = 2
    expect(historyScale([2, 2, 2, 6], 4)).toBe(4 / 3); // too short for m = 4: lag one
    expect(historyScale([4, 4, 4], 1)).toBe(4);
    expect(historyScale([0, 0, 0], 1)).toBe(1);
  });
});

describe("thinnedScores", () => {
  it("keeps the smallest, the largest and evenly spaced order statistics between", () => {
    const sorted = Array.from({ length: 11 }, (_, i) => i);
    expect(thinnedScores(sorted, 6)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(thinnedScores([1, 2], 6)).toEqual([1, 2]);
  });
});

describe("levelQuantiles", () => {
  it("gives each level's two bounds and the median", () => {
    expect(levelQuantiles([80, 95])).toEqual([0.025, 0.1, 0.5, 0.9, 0.975]);
  });
});
