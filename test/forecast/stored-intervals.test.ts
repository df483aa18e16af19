import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { StoredForecasts } from "../../src/artifact/index.ts";
import { storedIntervals } from "../../src/forecast/index.ts";
import { POOL_WEIGHT } from "../../src/intervals/index.ts";

/**
 * The bands of one stored series as they were computed before the shared quantiles and typed sort: every
 * step's pooled quantile, the series' ratios sorted with a comparator, the factor shrunk toward 1, the
 * running maximum, and bounds around the point.
 */
function reference(
  pooled: number[][],
  own: number[][],
  point: number[],
  scale: number,
  level: number,
  clip: boolean,
) {
  const quantile = (sorted: number[]) => {
    const n = sorted.length;
    return n === 0 ? Number.NaN : sorted[Math.min(n, Math.max(1, Math.ceil(((n + 1) * level) / 100))) - 1];
  };
  const steps = pooled.map(quantile);
  const ratios: number[] = [];
  own.forEach((step, h) => {
    if (steps[h] > 0) for (const score of step) ratios.push(score / steps[h]);
  });
  ratios.sort((a, b) => a - b);
  const n = ratios.length;
  const factor = n === 0 ? 1 : (n * quantile(ratios) + POOL_WEIGHT) / (n + POOL_WEIGHT);
  let widest = 0;
  const quantiles = steps.map((q) => {
    if (Number.isFinite(q)) widest = Math.max(widest, q * factor);
    return widest;
  });
  const lower: number[] = [];
  const upper: number[] = [];
  point.forEach((value, h) => {
    const half = quantiles[Math.min(h, quantiles.length - 1)] * scale;
    lower.push(clip ? Math.max(0, value - half) : value - half);
    upper.push(value + half);
  });
  return { lower, upper };
}

const score = fc.double({ min: 0, max: 10, noNaN: true });
const ascendingScores = (max: number) =>
  fc.array(score, { maxLength: max }).map((step) => step.sort((a, b) => a - b));

describe("storedIntervals", () => {
  it("gives every series of a model the bands of the reference computation, with or without own scores", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }).chain((horizon) =>
          fc.record({
            pooled: fc.array(ascendingScores(8), { minLength: horizon, maxLength: horizon }),
            series: fc.array(
              fc.record({
                own: fc.oneof(
                  fc.constant(Array.from({ length: horizon }, () => [] as number[])),
                  fc.array(ascendingScores(4), { minLength: horizon, maxLength: horizon }),
                ),
                point: fc.array(fc.double({ min: -50, max: 500, noNaN: true }), {
                  minLength: horizon,
                  maxLength: horizon,
                }),
                scale: fc.double({ min: 0.01, max: 100, noNaN: true }),
              }),
              { minLength: 1, maxLength: 6 },
            ),
            levels: fc.uniqueArray(fc.double({ min: 1, max: 99, noNaN: true }), {
              minLength: 1,
              maxLength: 3,
            }),
            clip: fc.boolean(),
          }),
        ),
        ({ pooled, series, levels, clip }) => {
          fc.pre(pooled.every((step) => step.length > 0));
          const stored: StoredForecasts = {
            horizon: pooled.length,
            calibration: { method: "conformal", pooled, window: [] },
            series: Object.fromEntries(
              series.map(({ own, point, scale }, s) => [
                `s${s}`,
                { dates: [], values: point, members: {}, weights: {}, interval: { scale, scores: own } },
              ]),
            ),
          };
          // twice over: the second pass reads the quantiles the first one left for the model
          for (const _pass of [1, 2]) {
            series.forEach(({ own, point, scale }, s) => {
              const bands = storedIntervals(stored, `s${s}`, point, levels, clip);
              expect(bands).toEqual(
                Object.fromEntries(
                  levels.map((level) => [String(level), reference(pooled, own, point, scale, level, clip)]),
                ),
              );
            });
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
