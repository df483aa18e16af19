import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  conformalQuantile,
  halfWidths,
  headScaledBand,
  headScaledScores,
} from "../../src/intervals/index.ts";

describe("head-scaled bands", () => {
  it("scores errors over the head's half-widths, leaving out zero widths, and takes their conformal quantile", () => {
    expect(halfWidths({ lower: [1, 0], upper: [3, 4] })).toEqual([1, 2]);
    const scores = headScaledScores(
      [[Float64Array.of(10, 20)], [Float64Array.of(5)]],
      [[Float64Array.of(9, 23)], [Float64Array.of(5)]],
      [[[1, 2]], [[0]]],
    );
    // |10 − 9| / 1, |20 − 23| / 2; 0 / 0 is left out
    expect(Array.from(scores)).toEqual([1, 1.5]);
    // the ⌈(n + 1)·L/100⌉-th smallest of n = 2: the 2nd at 50%, the 1st at 30%
    expect(conformalQuantile(scores, 50)).toBe(1.5);
    expect(conformalQuantile(scores, 30)).toBe(1);
    expect(conformalQuantile(new Float64Array(0), 80)).toBeNaN();
  });

  it("lays the band at quantile × width around the point, lower bounds clipped at 0 when asked", () => {
    expect(headScaledBand([10, 1], [2, 4], 0.5, true)).toEqual({ lower: [9, 0], upper: [11, 3] });
    expect(headScaledBand([10, 1], [2, 4], 0.5, false)).toEqual({ lower: [9, -1], upper: [11, 3] });
  });

  it("keeps lower ≤ point ≤ upper, clipped or not", () => {
    const values = (n: number, min: number) =>
      fc.array(fc.double({ min, max: 1e6, noNaN: true }), { minLength: n, maxLength: n });
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 8 })
          .chain((n) =>
            fc.tuple(values(n, 0), values(n, 0), fc.double({ min: 0, max: 50, noNaN: true }), fc.boolean()),
          ),
        ([point, widths, quantile, clip]) => {
          const { lower, upper } = headScaledBand(point, widths, quantile, clip);
          point.forEach((p, h) => {
            expect(lower[h]).toBeLessThanOrEqual(p);
            expect(upper[h]).toBeGreaterThanOrEqual(p);
            if (clip) expect(lower[h]).toBeGreaterThanOrEqual(0);
          });
        },
      ),
    );
  });
});
