import { describe, expect, it } from "vitest";
import { Adam } from "../../src/model/adam.ts";
import { createParam } from "../../src/model/param.ts";

function paramWith(values: number[]) {
  const param = createParam("p", [values.length]);
  param.data.set(values);
  return param;
}

describe("Adam", () => {
  it("moves each weight by lr against the sign of its gradient on the first step", () => {
    const param = paramWith([1, -2, 0.5]);
    param.grad.set([0.3, -4, 1e-3]);
    new Adam([param], { lr: 0.01 }).step();
    // Bias correction makes m̂/√v̂ = g/|g| on step one; eps only matters for tiny gradients.
    expect(param.data[0]).toBeCloseTo(1 - 0.01, 6);
    expect(param.data[1]).toBeCloseTo(-2 + 0.01, 6);
    expect(param.data[2]).toBeCloseTo(0.5 - 0.01 * (1e-3 / (1e-3 + 1e-8)), 6);
  });

  it("follows PyTorch's update over several steps with changing gradients", () => {
    const param = paramWith([0.7]);
    const adam = new Adam([param], { lr: 0.1, betas: [0.8, 0.9], eps: 1e-6 });
    const gradients = [0.5, -0.2, 0.1];
    let [m, v, w] = [0, 0, 0.7];
    for (const [t, g] of gradients.entries()) {
      param.grad[0] = g;
      adam.step();
      m = 0.8 * m + 0.2 * g;
      v = 0.9 * v + 0.1 * g * g;
      const step = t + 1;
      w -= ((0.1 / (1 - 0.8 ** step)) * m) / (Math.sqrt(v) / Math.sqrt(1 - 0.9 ** step) + 1e-6);
      expect(param.data[0]).toBeCloseTo(w, 6);
    }
  });

  it("adds weightDecay · w to the gradient (L2, as torch.optim.Adam)", () => {
    const decayed = paramWith([2]);
    new Adam([decayed], { lr: 0.01, weightDecay: 0.5 }).step();
    expect(decayed.data[0]).toBeCloseTo(2 - 0.01, 6);
    const opposed = paramWith([2]);
    opposed.grad[0] = -1;
    new Adam([opposed], { lr: 0.01, weightDecay: 0.5 }).step();
    expect(opposed.data[0]).toBe(2);
  });
});
