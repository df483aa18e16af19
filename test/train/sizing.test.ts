import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { backtestWindowSize, sizedForBacktest } from "../../src/train/sizing.ts";

describe("backtest sizing", () => {
  it("covers one season plus half the horizon, within what the shortest series allows", () => {
    expect(backtestWindowSize(7, 14, 352)).toBe(14);
    expect(backtestWindowSize(12, 6, 200)).toBe(15);
    expect(backtestWindowSize(52, 13, 130)).toBe(58); // capped: (130 - 13) / 2
  });

  it("keeps the kernel no wider than a short window", () => {
    const config = loadConfig("config/config.yaml", ["model.kernel_size=5"]);
    const sized = sizedForBacktest({ ...config, data: { ...config.data, horizon: 2 } }, 2, 10);
    expect(sized.data.window_size).toBe(3);
    expect(sized.model.kernel_size).toBe(3);
  });
});
