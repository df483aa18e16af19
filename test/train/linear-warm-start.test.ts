import { describe, expect, it } from "vitest";
import type { WindowSet } from "../../src/data/index.ts";
import { type CnnLstmSpec, createCnnLstm, Rng } from "../../src/model/index.ts";
import {
  chooseRidge,
  fitLinearAutoregression,
  NormalEquations,
  RIDGE_GRID,
  warmStartHighway,
} from "../../src/train/linear-warm-start.ts";

/** Windows whose targets are an exact linear function of the inputs: y0 = 2·x3 − x0 + 0.5, y1 = x1 − 1. */
function linearWindows(count: number): WindowSet {
  const rng = new Rng(5);
  const x = Float32Array.from({ length: count * 4 }, () => rng.uniformRange(-2, 2));
  const y = new Float32Array(count * 2);
  for (let s = 0; s < count; s++) {
    y[s * 2] = 2 * x[s * 4 + 3] - x[s * 4] + 0.5;
    y[s * 2 + 1] = x[s * 4 + 1] - 1;
  }
  return { x, y, seriesIndex: new Int32Array(count), count, windowSize: 4, horizon: 2 };
}

describe("fitLinearAutoregression", () => {
  it("recovers an exact linear relation with its intercept", () => {
    const { weight, bias } = fitLinearAutoregression(linearWindows(200), 1e-9);
    const expected = [-1, 0, 0, 2, 0, 1, 0, 0];
    for (const [i, w] of weight.entries()) expect(w).toBeCloseTo(expected[i], 4);
    expect(bias[0]).toBeCloseTo(0.5, 4);
    expect(bias[1]).toBeCloseTo(-1, 4);
  });

  it("shrinks the weights as the ridge penalty grows", () => {
    const norm = (r: number) => Math.hypot(...fitLinearAutoregression(linearWindows(50), r).weight);
    expect(norm(100)).toBeLessThan(norm(1));
  });
});

const SMALL_SPEC: CnnLstmSpec = {
  architecture: "cnn_lstm",
  windowSize: 4,
  horizon: 2,
  convChannels: 3,
  kernelSize: 2,
  lstmHidden: 5,
  lstmLayers: 1,
};

/** Windows whose targets are pure noise, unrelated to the inputs. */
function noiseWindows(count: number, seed: number): WindowSet {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: count * 4 }, () => rng.normal());
  const y = Float32Array.from({ length: count * 2 }, () => rng.normal());
  return { x, y, seriesIndex: new Int32Array(count), count, windowSize: 4, horizon: 2 };
}

describe("chooseRidge", () => {
  it("takes the least shrinkage for an exact linear relation", () => {
    expect(chooseRidge(linearWindows(200), linearWindows(50))).toBe(RIDGE_GRID[0]);
  });

  it("takes heavy shrinkage when the targets are noise", () => {
    expect(chooseRidge(noiseWindows(12, 1), noiseWindows(200, 2))).toBeGreaterThanOrEqual(100);
  });

  it("falls back to a penalty of 1 without validation windows", () => {
    expect(chooseRidge(linearWindows(20), noiseWindows(0, 3))).toBe(1);
  });
});

describe("warmStartHighway", () => {
  it("makes the network start as the fitted linear model", () => {
    const windows = linearWindows(100);
    const network = createCnnLstm({ ...SMALL_SPEC, highway: true }, new Rng(1));
    warmStartHighway(network, windows, 1e-9);
    const out = network.forward(windows.x.subarray(0, 10 * 4), 10);
    for (let i = 0; i < 20; i++) expect(out[i]).toBeCloseTo(windows.y[i], 3);
  });

  it("refuses a network without a highway", () => {
    expect(() => warmStartHighway(createCnnLstm(SMALL_SPEC, new Rng(1)), linearWindows(20), 1)).toThrow(
      /no parameter highway\.weight/,
    );
  });
});

describe("NormalEquations", () => {
  it("summed over one set then another, solve exactly as the fit on both packed together", () => {
    const a = noiseWindows(40, 5);
    const b = noiseWindows(25, 6);
    const both = {
      x: Float32Array.from([...a.x, ...b.x]),
      y: Float32Array.from([...a.y, ...b.y]),
      seriesIndex: new Int32Array(a.count + b.count),
      count: a.count + b.count,
      windowSize: a.windowSize,
      horizon: a.horizon,
    };
    const equations = new NormalEquations(a.windowSize, a.horizon).add(a);
    const first = equations.copy();
    expect(equations.add(b).solve(3)).toEqual(fitLinearAutoregression(both, 3));
    expect(first.solve(3)).toEqual(fitLinearAutoregression(a, 3));
    expect(first.count).toBe(a.count);
  });
});
