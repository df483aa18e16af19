import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import type { Series } from "../../src/data/index.ts";
import { type FitContext, MEMBERS } from "../../src/forecasters/index.ts";
import { runMember } from "../../src/train/cross-validation.ts";

function series(id: string, values: number[]): Series {
  return { id, frequency: "D", start: "2024-01-01", values: Float64Array.from(values) };
}

/** Weekly patterns at different levels and trends, and one history too short to fit (a fallback). */
const all = [
  ...Array.from({ length: 23 }, (_, s) =>
    series(
      `s${s}`,
      Array.from(
        { length: 60 + 3 * s },
        (_, t) => (s + 1) * (10 + [5, 3, 4, 6, 8, 12, 10][t % 7]) + 0.1 * s * t,
      ),
    ),
  ),
  series("short", [4, 5, 6]),
];

function context(workers: number): FitContext {
  return {
    config: loadConfig("config/config.yaml", [`train.workers=${workers}`], {}),
    frequency: "D",
    season: 7,
    horizon: 7,
    split: { windowSize: 14, horizon: 7, validationFraction: 0.3 },
  };
}

describe("statistical members on worker threads", () => {
  it("forecast every origin and end the same, bit for bit, on one thread and on two", async () => {
    const origins = all.map(({ values }) =>
      values.length > 30 ? [values.length - 21, values.length - 14, values.length - 7] : [],
    );
    for (const name of ["mstl", "ets"] as const) {
      const one = await runMember(name, all, context(1), origins);
      const two = await runMember(name, all, context(2), origins);
      expect(
        two.cv.flat().map((f) => Array.from(f)),
        name,
      ).toEqual(one.cv.flat().map((f) => Array.from(f)));
      expect(
        two.final.map((f) => Array.from(f)),
        name,
      ).toEqual(one.final.map((f) => Array.from(f)));
      expect(two.fitted.training, name).toEqual(one.fitted.training);
      // The short series cannot be fitted: its end is forecast by seasonal naive, the same way on both.
      expect(one.fitted.training?.fallbacks, name).toBeGreaterThanOrEqual(1);
      expect(Array.from(two.final[all.length - 1]), name).toEqual([4, 5, 6, 4, 5, 6, 4]);
    }
  }, 60_000);

  it("keep the order of the requests when they are split over the workers", async () => {
    const fitted = MEMBERS.mstl.fit(all, context(2));
    const constant = (level: number) => new Float64Array(42).fill(level);
    const forecasts = await fitted.onAll(
      Array.from({ length: 40 }, (_, i) => ({ seriesIndex: 0, history: constant(i + 1) })),
      3,
    );
    forecasts.forEach((f, i) => {
      for (const v of f) expect(v).toBeCloseTo(i + 1, 4);
    });
  }, 60_000);
});
