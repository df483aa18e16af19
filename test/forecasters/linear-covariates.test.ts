import { describe, expect, it } from "vitest";
import { fitCovariateLinear, mapShape } from "../../src/forecasters/linear-covariates.ts";
import { Rng } from "../../src/model/index.ts";

describe("the ridge map with regressors", () => {
  it("recovers each step's weights on the window and on its own period's known-future feature", () => {
    // W = 2, H = 2, F = 2 (feature 0 known ahead, feature 1 past-only):
    // y_k = 0.5·x_1 + (k + 1)·future_k + 3·past_last + 1
    const rng = new Rng(7);
    const count = 400;
    const x = new Float32Array(count * 2);
    const y = new Float32Array(count * 2);
    const cov = new Float32Array(count * 4 * 2);
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < 2; j++) x[i * 2 + j] = rng.normal();
      for (let j = 0; j < 8; j++) cov[i * 8 + j] = rng.normal();
      for (let k = 0; k < 2; k++) {
        const future = cov[i * 8 + (2 + k) * 2];
        const pastLast = cov[i * 8 + 1 * 2 + 1];
        y[i * 2 + k] = 0.5 * x[i * 2 + 1] + (k + 1) * future + 3 * pastLast + 1;
      }
    }
    const map = fitCovariateLinear({ x, y, cov, count }, mapShape(2, 2, [true, false], "all"), 1e-6);
    for (let k = 0; k < 2; k++) {
      expect(map.weight[k * 2]).toBeCloseTo(0, 4);
      expect(map.weight[k * 2 + 1]).toBeCloseTo(0.5, 4);
      expect(map.future[k * 2]).toBeCloseTo(k + 1, 4);
      expect(map.future[k * 2 + 1]).toBe(0);
      expect(map.past[k * 2 + 1]).toBeCloseTo(3, 4);
      expect(map.past[k * 2]).toBe(0);
      expect(map.bias[k]).toBeCloseTo(1, 4);
    }
  });
});
