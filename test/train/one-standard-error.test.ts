import { describe, expect, it } from "vitest";
import { lossSpread, simplestWithinOneError } from "../../src/train/one-standard-error.ts";

describe("the one-standard-error rule", () => {
  it("keeps the simpler model when the better one leads by less than its standard error", () => {
    expect(
      simplestWithinOneError([
        { mean: 1.006, standardError: 0.07 },
        { mean: 0.998, standardError: 0.06 },
      ]),
    ).toBe(0);
  });

  it("takes the better model when its lead exceeds its standard error", () => {
    expect(
      simplestWithinOneError([
        { mean: 1.19, standardError: 0.05 },
        { mean: 0.85, standardError: 0.04 },
      ]),
    ).toBe(1);
  });

  it("takes the simplest within reach of the best, not the best itself", () => {
    expect(
      simplestWithinOneError([
        { mean: 1.0, standardError: 0.01 },
        { mean: 0.74, standardError: 0.01 },
        { mean: 0.7, standardError: 0.05 },
      ]),
    ).toBe(1);
  });

  it("measures the spread of losses as their mean and the standard error of the mean", () => {
    // mean 2; squared deviations 1, 0, 1, 4, 4 → sample variance 10 / 4 = 2.5; standard error √(2.5 / 5)
    const spread = lossSpread([1, 2, 3, 0, 4]);
    expect(spread.mean).toBe(2);
    expect(spread.standardError).toBeCloseTo(Math.sqrt(0.5), 12);
  });
});
