import { describe, expect, it } from "vitest";
import { expNonPositive } from "../../src/model/fast-exp.ts";

describe("expNonPositive", () => {
  it("agrees with Math.exp within 1e-8 relative down to e^-700, short of subnormal numbers", () => {
    let worst = 0;
    for (let i = 0; i <= 200_000; i++) {
      const x = -i * 3.5e-3;
      const exact = Math.exp(x);
      worst = Math.max(worst, Math.abs(expNonPositive(x) - exact) / exact);
    }
    expect(worst).toBeLessThan(1e-8);
  });

  it("is exactly 1 at 0 and 0 where double precision underflows", () => {
    expect(expNonPositive(0)).toBe(1);
    expect(expNonPositive(-746)).toBe(0);
    expect(expNonPositive(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(expNonPositive(-700) / Math.exp(-700)).toBeCloseTo(1, 8);
  });
});
