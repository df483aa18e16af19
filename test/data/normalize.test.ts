import { describe, expect, it } from "vitest";
import {
  denormalize,
  fitNormalization,
  fitSeriesNormalization,
  normalize,
} from "../../src/data/normalize.ts";
import type { Series } from "../../src/data/types.ts";

const daily = (values: number[]): Series => ({
  id: "s",
  frequency: "D",
  start: "2023-01-01",
  values: Float64Array.from(values),
});

describe("fitNormalization", () => {
  it("computes the mean and population std of values before end only", () => {
    expect(fitNormalization([1, 2, 3, 4, 1000], 4)).toEqual({ mean: 2.5, std: Math.sqrt(1.25) });
    expect(fitNormalization([2, 4])).toEqual({ mean: 3, std: 1 });
  });

  it("scales a constant series by 1 instead of dividing by 0", () => {
    expect(fitNormalization([7, 7, 7])).toEqual({ mean: 7, std: 1 });
    expect([...normalize([7, 8], fitNormalization([7, 7, 7]))]).toEqual([0, 1]);
  });

  it("rejects an end outside the values", () => {
    expect(() => fitNormalization([1, 2], 0)).toThrow(RangeError);
    expect(() => fitNormalization([1, 2], 3)).toThrow(RangeError);
  });
});

describe("fitSeriesNormalization", () => {
  // 20 points, W=3, h=1, v=0.25: training part [0, 15)
  const options = { windowSize: 3, horizon: 1, validationFraction: 0.25 };
  const values = Array.from({ length: 20 }, (_, i) => i);

  it("fits each series on its training part only", () => {
    expect(fitSeriesNormalization([daily(values)], options)).toEqual([fitNormalization(values, 15)]);
  });

  it("does not change when validation or holdout values change (no leakage)", () => {
    const before = fitSeriesNormalization([daily(values)], options);
    const changedAfterTraining = values.map((v, i) => (i >= 15 ? v * 100 : v));
    expect(fitSeriesNormalization([daily(changedAfterTraining)], options)).toEqual(before);
    const changedInTraining = values.map((v, i) => (i === 14 ? v * 100 : v));
    expect(fitSeriesNormalization([daily(changedInTraining)], options)).not.toEqual(before);
  });
});

describe("normalize and denormalize", () => {
  it("are inverse", () => {
    const stats = { mean: 100, std: 20 };
    expect([...normalize([80, 100, 150], stats)]).toEqual([-1, 0, 2.5]);
    expect([...denormalize(Float32Array.of(-1, 0, 2.5), stats)]).toEqual([80, 100, 150]);
  });
});
