import { describe, expect, it } from "vitest";
import { pooledWeights } from "../../src/train/pooled-weights.ts";

const f = (...values: number[]) => Float64Array.from(values);

describe("pooled weights", () => {
  it("finds an interior mix when the members err on opposite sides", () => {
    // "a" is 2 above every actual, "b" 1 below: a/3 + 2b/3 is exact, and no member alone or the mean is.
    const actual = [f(5, 8, 3), f(9, 1, 4)];
    const series = [
      {
        actuals: actual,
        forecasts: [actual.map((a) => a.map((v) => v + 2)), actual.map((a) => a.map((v) => v - 1))],
        scale: 1,
      },
    ];
    const [a, b] = pooledWeights(series, 2) ?? [];
    expect(a).toBeCloseTo(1 / 3, 2);
    expect(a + b).toBeCloseTo(1, 12);
  });

  it("takes a member alone when it is the best on every point", () => {
    const series = [{ actuals: [f(4, 4)], forecasts: [[f(4, 4)], [f(6, 2)], [f(9, 9)]], scale: 2 }];
    expect(pooledWeights(series, 3)).toEqual([1, 0, 0]);
  });

  it("counts each series once, whatever its number of points", () => {
    // The first series has four points where "a" is off by 1, the second one point where "b" is off by 3:
    // per point "a" would lose (4 against 3), per series it wins (1 against 3).
    const series = [
      {
        actuals: [f(0, 0), f(0, 0)],
        forecasts: [
          [f(1, 1), f(1, 1)],
          [f(0, 0), f(0, 0)],
        ],
        scale: 1,
      },
      { actuals: [f(0)], forecasts: [[f(0)], [f(3)]], scale: 1 },
    ];
    expect(pooledWeights(series, 2)).toEqual([1, 0]);
  });

  it("skips points a member could not forecast and series without a scale", () => {
    const series = [
      { actuals: [f(1, 1)], forecasts: [[f(1, Number.NaN)], [f(3, 1)]], scale: 1 },
      { actuals: [f(0)], forecasts: [[f(9)], [f(0)]], scale: 0 },
    ];
    // Only the first point counts, where "a" is exact.
    expect(pooledWeights(series, 2)).toEqual([1, 0]);
    expect(pooledWeights([series[1]], 2)).toBeNull();
  });
});
