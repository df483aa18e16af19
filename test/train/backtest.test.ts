import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { backtest } from "../../src/train/index.ts";

const seedRetail = fileURLToPath(new URL("../fixtures/data/seed_daily_category.csv", import.meta.url));

const config = (...overrides: string[]) =>
  loadConfig("config/config.yaml", [
    `data.csv_path=${JSON.stringify(seedRetail)}`,
    "data.format=auto",
    "data.frequency=auto",
    "data.horizon=14",
    "train.max_epochs=2",
    ...overrides,
  ]);

describe("backtest", () => {
  it("reproduces the protocol's published naive and seasonal naive scores and scores the model beside them", async () => {
    const report = await backtest(config(), { holdout: 14, autoSize: true });
    expect(report).toMatchObject({ series: 3, frequency: "D", horizon: 14, season: 7, window_size: 14 });
    // the data protocol (shared/data/README.md): naive 1.126 / 124.8, seasonal naive 0.612 / 115.2 (MASE / sMAPE)
    expect(report.naive.mase).toBeCloseTo(1.126, 3);
    expect(report.naive.smape).toBeCloseTo(124.8, 1);
    expect(report.seasonal_naive.mase).toBeCloseTo(0.612, 3);
    expect(report.seasonal_naive.smape).toBeCloseTo(115.2, 1);
    for (const value of Object.values(report.model)) expect(Number.isFinite(value)).toBe(true);
    expect(Object.keys(report.members)).toEqual(["seasonal_naive", "linear", "network", "mstl", "ets"]);
    // The seasonal naive member is the protocol's baseline itself, scored on the same holdout.
    expect(report.members.seasonal_naive.mase).toBeCloseTo(report.seasonal_naive.mase, 10);
    expect(report.cv.origins).toBe(3);
  });

  it("keeps the configured window when not sizing, and trains one model per series when asked", async () => {
    const report = await backtest(config("data.window_size=21", "train.scope=per_series"), {
      holdout: 14,
      autoSize: false,
    });
    expect(report.window_size).toBe(21);
    expect(report.scope).toBe("per_series");
    expect(report.window_member).toBeNull();
  });
});
