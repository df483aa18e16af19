import { describe, expect, it } from "vitest";
import { mseLoss } from "../../src/model/loss.ts";

describe("mseLoss", () => {
  const prediction = Float32Array.of(1, 2, 3, 99);
  const target = Float32Array.of(0, 2, 5, -99);

  it("averages the squared errors of the first `count` elements", () => {
    expect(mseLoss(prediction, target, 3)).toBeCloseTo((1 + 0 + 4) / 3, 6);
  });

  it("writes dLoss/dPrediction = 2·(prediction - target)/count when asked", () => {
    const gradient = new Float32Array(4).fill(7);
    mseLoss(prediction, target, 3, gradient);
    expect([...gradient]).toEqual([2 / 3, 0, -4 / 3, 7].map(Math.fround));
  });

  it("skips the gradient for an empty buffer, as evaluation passes", () => {
    expect(mseLoss(prediction, target, 2, new Float32Array(0))).toBeCloseTo(0.5, 6);
  });

  it("rejects buffers shorter than count", () => {
    expect(() => mseLoss(prediction, target, 5)).toThrow(RangeError);
    expect(() => mseLoss(prediction, target, 3, new Float32Array(2))).toThrow(RangeError);
  });
});
