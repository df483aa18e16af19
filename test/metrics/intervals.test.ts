import { describe, expect, it } from "vitest";
import { intervalMetrics } from "../../src/intervals/index.ts";
import { coverage, msis, pinball } from "../../src/metrics/intervals.ts";

const actual = [10, 20, 30, 40];
const lower = [8, 21, 25, 30];
const upper = [12, 25, 30, 35];

describe("interval scores", () => {
  it("coverage counts the actual values inside the bounds, bounds included", () => {
    // 10 in [8, 12]; 20 below 21; 30 on the upper bound; 40 above 35.
    expect(coverage(actual, lower, upper)).toBe(0.5);
  });

  it("MSIS adds 2/α times each miss to the width and divides by the scale", () => {
    // Widths 4 + 4 + 5 + 5 = 18; misses 1 (below) and 5 (above), α = 0.2 so 2/α = 10: 18 + 60 = 78.
    expect(msis(actual, lower, upper, 80, 2)).toBeCloseTo(78 / 4 / 2, 12);
    expect(msis(actual, lower, upper, 80, 0)).toBeNaN();
  });

  it("pinball weighs a miss above by q and one below by 1 − q", () => {
    // Quantile 0.9 at [12, 25, 30, 35]: misses −2, −5, 0, 5 → 0.1·2 + 0.1·5 + 0 + 0.9·5 = 5.2.
    expect(pinball(actual, upper, 0.9)).toBeCloseTo(5.2 / 4, 12);
  });

  it("reports coverage_L, msis_L and the scaled pinball over the bounds and the median", () => {
    const point = [10, 23, 28, 33];
    const m = intervalMetrics(actual, point, { "80": { lower, upper } }, [80], 2);
    expect(m.coverage_80).toBe(0.5);
    expect(m.msis_80).toBeCloseTo(9.75, 12);
    const losses = [pinball(actual, point, 0.5), pinball(actual, lower, 0.1), pinball(actual, upper, 0.9)];
    expect(m.pinball).toBeCloseTo(losses.reduce((a, b) => a + b) / 3 / 2, 12);
  });
});
