import { describe, expect, it } from "vitest";
import { DataError } from "../../src/data/errors.ts";
import { holdoutSplit, splitBounds } from "../../src/data/split.ts";
import type { Series } from "../../src/data/types.ts";

const options = { windowSize: 14, horizon: 1, validationFraction: 0.2 };

describe("splitBounds", () => {
  it("keeps round(v * fitEnd) points at the end of the fitting part for validation", () => {
    expect(splitBounds(366, options)).toEqual({ fitEnd: 366, trainEnd: 293 });
    expect(splitBounds(20, options)).toEqual({ fitEnd: 20, trainEnd: 16 });
  });

  it("uses everything for training when the validation fraction is 0", () => {
    expect(splitBounds(366, { ...options, validationFraction: 0 })).toEqual({ fitEnd: 366, trainEnd: 366 });
  });

  it("gives validation at least one window (h points) when v > 0", () => {
    const bounds = splitBounds(100, { windowSize: 10, horizon: 5, validationFraction: 0.02 });
    expect(bounds).toEqual({ fitEnd: 100, trainEnd: 95 });
  });

  it("shrinks validation so training keeps a window, and drops it when less than h would remain", () => {
    expect(splitBounds(16, options)).toEqual({ fitEnd: 16, trainEnd: 15 });
    // room for 1 validation point, fewer than h = 2: no validation window, so all 17 points train
    expect(splitBounds(17, { windowSize: 14, horizon: 2, validationFraction: 0.5 })).toEqual({
      fitEnd: 17,
      trainEnd: 17,
    });
  });

  it("splits only the fitting part when a holdout is kept out", () => {
    expect(splitBounds(30, { ...options, windowSize: 5, holdout: 5 })).toEqual({ fitEnd: 25, trainEnd: 20 });
  });

  it("rejects a holdout that leaves nothing to fit", () => {
    expect(() => splitBounds(10, { ...options, holdout: 10 })).toThrow(DataError);
    expect(() => splitBounds(10, { ...options, holdout: -1 })).toThrow(
      /holdout must be an integer in \[0, 10\)/,
    );
  });
});

describe("holdoutSplit", () => {
  const series: Series = {
    id: "s",
    frequency: "D",
    start: "2023-01-01",
    values: Float64Array.from([1, 2, 3, 4, 5]),
  };

  it("makes the last H points the test set and the rest the fitting part", () => {
    const { fit, test } = holdoutSplit(series, 2);
    expect(fit).toEqual({
      id: "s",
      frequency: "D",
      start: "2023-01-01",
      values: Float64Array.of(1, 2, 3),
    });
    expect(test).toEqual({
      id: "s",
      frequency: "D",
      start: "2023-01-04",
      values: Float64Array.of(4, 5),
    });
  });

  it("copies, so changing a part leaves the series alone", () => {
    holdoutSplit(series, 2).fit.values[0] = 99;
    expect(series.values[0]).toBe(1);
  });

  it("rejects a holdout as long as the series", () => {
    expect(() => holdoutSplit(series, 5)).toThrow(DataError);
  });
});
