import { describe, expect, it } from "vitest";
import {
  averageMetrics,
  mae,
  mase,
  naiveForecast,
  rmse,
  seasonalNaiveForecast,
  seasonalNaiveScale,
  smape,
} from "../../src/metrics/index.ts";

describe("error measures", () => {
  const actual = [10, 0, 5, 20];
  const forecast = [12, 0, 0, 10];

  it("computes MAE and RMSE", () => {
    expect(mae(actual, forecast)).toBeCloseTo((2 + 0 + 5 + 10) / 4, 12);
    expect(rmse(actual, forecast)).toBeCloseTo(Math.sqrt((4 + 0 + 25 + 100) / 4), 12);
  });

  it("counts 0/0 as 0 in sMAPE", () => {
    const expected = ((200 * 2) / 22 + 0 + (200 * 5) / 5 + (200 * 10) / 30) / 4;
    expect(smape(actual, forecast)).toBeCloseTo(expected, 12);
  });

  it("scales MASE by the in-sample seasonal naive MAE", () => {
    const history = [1, 2, 3, 5, 2, 3];
    // season 2: |3-1| + |5-2| + |2-3| + |3-5| = 8 over 4 points
    expect(seasonalNaiveScale(history, 2)).toBe(2);
    expect(mase([4, 4], [3, 6], 2)).toBeCloseTo(1.5 / 2, 12);
  });

  it("leaves a zero-scale series out of the MASE average", () => {
    expect(mase([1], [2], 0)).toBeNaN();
    const avg = averageMetrics([
      { mae: 1, rmse: 1, smape: 10, mase: Number.NaN },
      { mae: 3, rmse: 5, smape: 30, mase: 0.5 },
    ]);
    expect(avg).toEqual({ mae: 2, rmse: 3, smape: 20, mase: 0.5 });
  });
});

describe("baselines", () => {
  it("naive repeats the last value", () => {
    expect(Array.from(naiveForecast([1, 2, 7], 3))).toEqual([7, 7, 7]);
  });

  it("seasonal naive repeats the last season", () => {
    expect(Array.from(seasonalNaiveForecast([1, 2, 3, 4, 5], 5, 3))).toEqual([3, 4, 5, 3, 4]);
  });
});
