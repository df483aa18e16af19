import { describe, expect, it } from "vitest";
import { Rng } from "../../src/model/rng.ts";

function draws(rng: Rng, count: number, draw: (r: Rng) => number): number[] {
  return Array.from({ length: count }, () => draw(rng));
}

function meanAndVariance(values: number[]): [number, number] {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return [mean, values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length];
}

describe("Rng", () => {
  it("produces xoshiro128** seeded by splitmix32 (values from an independent implementation)", () => {
    const zero = new Rng(0);
    expect(draws(zero, 5, (r) => r.nextUint32())).toEqual([
      3809008728, 1133695204, 53579671, 2891528803, 139681546,
    ]);
    const fortyTwo = new Rng(42);
    expect(draws(fortyTwo, 5, (r) => r.nextUint32())).toEqual([
      2837322924, 544945897, 479756282, 3500138142, 339756180,
    ]);
  });

  it("repeats a sequence for the same seed and changes it for another", () => {
    const sequence = (seed: number) => draws(new Rng(seed), 20, (r) => r.normal());
    expect(sequence(7)).toEqual(sequence(7));
    expect(sequence(7)).not.toEqual(sequence(8));
  });

  it("draws uniforms in [0, 1) and [low, high) with the right mean", () => {
    const rng = new Rng(1);
    const unit = draws(rng, 100_000, (r) => r.uniform());
    expect(Math.min(...unit)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...unit)).toBeLessThan(1);
    expect(meanAndVariance(unit)[0]).toBeCloseTo(0.5, 2);
    const ranged = draws(rng, 100_000, (r) => r.uniformRange(-3, 5));
    expect(Math.min(...ranged)).toBeGreaterThanOrEqual(-3);
    expect(Math.max(...ranged)).toBeLessThan(5);
    expect(meanAndVariance(ranged)[0]).toBeCloseTo(1, 1);
  });

  it("draws standard normals", () => {
    const [mean, variance] = meanAndVariance(draws(new Rng(2), 100_000, (r) => r.normal()));
    expect(mean).toBeCloseTo(0, 1);
    expect(variance).toBeCloseTo(1, 1);
  });

  it("draws every integer below the bound about equally often", () => {
    const counts = new Array<number>(6).fill(0);
    const rng = new Rng(3);
    for (let i = 0; i < 60_000; i++) counts[rng.integer(6)]++;
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(400);
  });

  it("shuffles in place into a permutation that depends only on the seed", () => {
    const shuffled = new Rng(4).shuffle(Int32Array.from({ length: 100 }, (_, i) => i));
    expect([...shuffled].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...shuffled]).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    const again = new Rng(4).shuffle(Array.from({ length: 100 }, (_, i) => i));
    expect(again).toEqual([...shuffled]);
  });
});
