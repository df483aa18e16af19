import { describe, expect, it } from "vitest";
import type { MemberRun } from "../../src/train/cross-validation.ts";
import { chooseEnsembleBands, headScaledFinalBands } from "../../src/train/ensemble-bands.ts";

/**
 * One series, two origins, horizon 1, level 50. The ensemble forecast 10 then 20 where 12 and 30 came; the
 * network's head had half-widths 2 then 20 there (a calm stretch, then a volatile one), so the scores are
 * |12 − 10| / 2 = 1 and |30 − 20| / 20 = 0.5.
 */
const actuals = [[Float64Array.of(12), Float64Array.of(30)]];
const ensemble = [[Float64Array.of(10), Float64Array.of(20)]];

function networkRun(withHead: boolean, finalBand = { lower: [5], upper: [9] }): MemberRun {
  const band = (point: number, half: number) => ({ "50": { lower: [point - half], upper: [point + half] } });
  return {
    name: "network",
    fitted: {} as MemberRun["fitted"],
    cv: [[Float64Array.of(11), Float64Array.of(22)]],
    final: [Float64Array.of(7)],
    ...(withHead ? { headBands: { cv: [[band(11, 2), band(22, 20)]], final: [{ "50": finalBand }] } } : {}),
    seconds: 0,
  };
}

const input = (runs: MemberRun[], conformalMsis: number) => ({
  runs,
  actuals,
  forecasts: ensemble,
  scales: [2],
  levels: [50],
  clipNegative: true,
  conformal: { coverage_50: 1, msis_50: conformalMsis, pinball: 1 },
  memberMase: { network: 0.9 },
});

describe("chooseEnsembleBands", () => {
  it("scores head-scaled bands leaving each origin out, and takes them when their MSIS is lower", () => {
    const chosen = chooseEnsembleBands(input([networkRun(true)], 12));
    // Origin 2 from origin 1's score (1): 20 ± 20 = [0, 40] holds 30, score 40. Origin 1 from origin 2's
    // (0.5): 10 ± 1 = [9, 11] misses 12 by 1, score 2 + 2/0.5 · 1 = 6. MSIS (40 + 6) / 2 / scale 2 = 11.5.
    expect(chosen.cv.head_scaled?.coverage_50).toBe(0.5);
    expect(chosen.cv.head_scaled?.msis_50).toBeCloseTo(11.5, 12);
    expect(chosen.method).toBe("head_scaled");
    // From both scores [0.5, 1] at 50%: the 2nd smallest.
    expect(chosen.headScaled?.quantiles).toEqual({ "50": 1 });
    expect(chosen.headScaled?.member).toBe("network");
    expect(chosen.headScaled?.finalWidths).toEqual([{ "50": [2] }]);
    const bands = chosen.headScaled && headScaledFinalBands(chosen.headScaled, 0, [8], [50], true);
    expect(bands).toEqual({ "50": { lower: [6], upper: [10] } });
  });

  it("keeps the conformal bands when they scored lower, or when no member has a quantile head", () => {
    expect(chooseEnsembleBands(input([networkRun(true)], 11)).method).toBe("conformal");
    const noHead = chooseEnsembleBands(input([networkRun(false)], 11));
    expect(noHead).toEqual({
      method: "conformal",
      cv: { conformal: { coverage_50: 1, msis_50: 11, pinball: 1 }, head_scaled: null },
      headScaled: null,
    });
  });

  it("chooses from the origins alone: the head's band at the end changes the final widths only", () => {
    const one = chooseEnsembleBands(input([networkRun(true)], 12));
    const other = chooseEnsembleBands(input([networkRun(true, { lower: [0], upper: [100] })], 12));
    expect(other.method).toBe(one.method);
    expect(other.cv).toEqual(one.cv);
    expect(other.headScaled?.quantiles).toEqual(one.headScaled?.quantiles);
    expect(other.headScaled?.finalWidths).toEqual([{ "50": [50] }]);
  });
});
