import { describe, expect, it } from "vitest";
import { largest, smallest } from "../../src/train/extremes.ts";

describe("smallest and largest", () => {
  it("take any number of values, past where a spread into Math.min overflows the stack", () => {
    const many = Array.from({ length: 500_000 }, (_, i) => (i * 7919) % 500_000);
    expect(() => Math.min(...many)).toThrow(RangeError);
    expect(smallest(many)).toBe(0);
    expect(largest(many)).toBe(499_999);
  });

  it("give the fallback for no values", () => {
    expect(largest([], 0)).toBe(0);
    expect(smallest([])).toBe(Number.POSITIVE_INFINITY);
  });
});
