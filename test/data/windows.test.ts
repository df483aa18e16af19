import { describe, expect, it } from "vitest";
import { DataError } from "../../src/data/errors.ts";
import { fitSeriesNormalization } from "../../src/data/normalize.ts";
import type { Series, WindowSet } from "../../src/data/types.ts";
import { buildWindowSets, lastWindows } from "../../src/data/windows.ts";

const ramp = (id: string, length: number, offset = 0): Series => ({
  id,
  frequency: "D",
  start: "2023-01-01",
  values: Float64Array.from({ length }, (_, i) => offset + i),
});
const identity = { mean: 0, std: 1 };
const windowX = (set: WindowSet, i: number) => [
  ...set.x.subarray(i * set.windowSize, (i + 1) * set.windowSize),
];
const windowY = (set: WindowSet, i: number) => [...set.y.subarray(i * set.horizon, (i + 1) * set.horizon)];

describe("buildWindowSets", () => {
  // W=3, h=2, v=0.25. Series a (20 points): trainEnd 15, so training origins t = 3..13, validation t = 15..18.
  // Series b (10 points): round(2.5) = 3 validation points, trainEnd 7: training t = 3..5, validation t = 7..8.
  const options = { windowSize: 3, horizon: 2, validationFraction: 0.25 };
  const { train, validation } = buildWindowSets(
    [ramp("a", 20), ramp("b", 10, 100)],
    [identity, identity],
    options,
  );

  it("counts windows per part and packs them with the right shapes", () => {
    expect(train).toMatchObject({ count: 11 + 3, windowSize: 3, horizon: 2 });
    expect(validation.count).toBe(4 + 2);
    expect(train.x).toHaveLength(14 * 3);
    expect(train.y).toHaveLength(14 * 2);
    expect([...train.seriesIndex]).toEqual([...Array(11).fill(0), 1, 1, 1]);
    expect([...validation.seriesIndex]).toEqual([0, 0, 0, 0, 1, 1]);
  });

  it("takes x = values[t-W, t) and y = values[t, t+h), training targets inside [W, trainEnd)", () => {
    expect(windowX(train, 0)).toEqual([0, 1, 2]);
    expect(windowY(train, 0)).toEqual([3, 4]);
    expect(windowX(train, 10)).toEqual([10, 11, 12]);
    expect(windowY(train, 10)).toEqual([13, 14]);
    expect(windowX(train, 11)).toEqual([100, 101, 102]);
    expect(windowY(train, 13)).toEqual([105, 106]);
  });

  it("starts validation targets at trainEnd, x reaching back into training, and ends them by fitEnd", () => {
    expect(windowX(validation, 0)).toEqual([12, 13, 14]);
    expect(windowY(validation, 0)).toEqual([15, 16]);
    expect(windowY(validation, 3)).toEqual([18, 19]);
    expect(windowX(validation, 4)).toEqual([104, 105, 106]);
    expect(windowY(validation, 5)).toEqual([108, 109]);
  });

  it("normalizes each window with its own series' stats", () => {
    const sets = buildWindowSets(
      [ramp("a", 20), ramp("b", 10, 100)],
      [
        { mean: 10, std: 2 },
        { mean: 100, std: 4 },
      ],
      options,
    );
    expect(windowX(sets.train, 0)).toEqual([-5, -4.5, -4]);
    expect(windowY(sets.train, 11)).toEqual([0.75, 1]);
  });

  it("needs one stats entry per series", () => {
    expect(() => buildWindowSets([ramp("a", 20), ramp("b", 10)], [identity], options)).toThrow(RangeError);
  });

  it("never touches the holdout", () => {
    // holdout 4: fitEnd 16, 4 validation points, trainEnd 12
    const held = { ...options, holdout: 4 };
    const stats = fitSeriesNormalization([ramp("a", 20)], held);
    const sets = buildWindowSets([ramp("a", 20)], stats, held);
    const raw = (v: number) => v * stats[0].std + stats[0].mean;
    expect(sets.train.count).toBe(12 - 2 - 3 + 1);
    expect(sets.validation.count).toBe(16 - 2 - 12 + 1);
    expect(raw(Math.max(...sets.validation.y))).toBeCloseTo(15, 5);
    expect(raw(Math.max(...sets.train.y))).toBeCloseTo(11, 5);
  });
});

describe("lastWindows", () => {
  it("packs the last W normalized values before each forecast origin", () => {
    const series = [ramp("a", 20), ramp("b", 10, 100)];
    expect([...lastWindows(series, [identity, { mean: 100, std: 1 }], 3)]).toEqual([17, 18, 19, 7, 8, 9]);
    expect([...lastWindows(series, [identity, identity], 3, 4)]).toEqual([13, 14, 15, 103, 104, 105]);
  });

  it("names a series too short for a window", () => {
    expect(() => lastWindows([ramp("tiny", 2)], [identity], 3)).toThrow(DataError);
    expect(() => lastWindows([ramp("tiny", 2)], [identity], 3)).toThrow(/series "tiny" has 2 points/);
  });
});
