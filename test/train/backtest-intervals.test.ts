import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { backtest } from "../../src/train/index.ts";
import { tempDir } from "../registry/fixtures.ts";

const HOLDOUT = 14;

/** Two daily series with a weekly pattern and noise; `holdoutFactor` multiplies their last 14 values. */
function salesFile(holdoutFactor: number): string {
  const rows = ["series_id,date,value"];
  for (const id of ["A", "B"]) {
    for (let t = 0; t < 200; t++) {
      const date = new Date(Date.UTC(2024, 0, 1 + t)).toISOString().slice(0, 10);
      const base = (id === "A" ? 100 : 40) + 10 * Math.sin((2 * Math.PI * t) / 7) + ((t * 37) % 11);
      rows.push(`${id},${date},${t >= 200 - HOLDOUT ? base * holdoutFactor : base}`);
    }
  }
  const file = join(tempDir(), "sales.csv");
  writeFileSync(file, `${rows.join("\n")}\n`);
  return file;
}

const run = (file: string, overrides = ["model.members=[seasonal_naive,linear]"]) =>
  backtest(
    loadConfig("config/config.yaml", [
      `data.csv_path=${JSON.stringify(file)}`,
      "data.format=auto",
      "model.levels=[80,95]",
      ...overrides,
    ]),
    { holdout: HOLDOUT, autoSize: true },
  );

/** A small network with its quantile head, quick to train. */
const WITH_HEAD = [
  "model.members=[seasonal_naive,network]",
  "model.quantile_head=true",
  "model.lstm_hidden=8",
  "model.conv_channels=4",
  "train.max_epochs=3",
];

describe("backtest intervals", () => {
  it("calibrates on the fitting part only: a holdout a thousand times larger is missed, not widened for", async () => {
    const [honest, shifted] = [await run(salesFile(1)), await run(salesFile(1000))];
    expect(honest.levels).toEqual([80, 95]);
    expect(honest.model.coverage_95).toBeGreaterThan(0.5);
    // Had the calibration read the holdout, its bands would stretch to cover the shifted values.
    expect(shifted.model.coverage_80).toBe(0);
    expect(shifted.model.coverage_95).toBe(0);
    for (const member of ["seasonal_naive", "linear"]) {
      expect(shifted.members[member].coverage_95).toBe(0);
      expect(Number.isFinite(shifted.members[member].msis_95)).toBe(true);
    }
    expect(shifted.model.msis_95).toBeGreaterThan(100 * honest.model.msis_95);
  });

  it("scores the network's quantile head beside its conformal intervals, fitted without the holdout too", async () => {
    const [honest, shifted] = [await run(salesFile(1), WITH_HEAD), await run(salesFile(1000), WITH_HEAD)];
    const keys = ["coverage_80", "coverage_95", "msis_80", "msis_95", "pinball"];
    expect(Object.keys(honest.quantile_head?.holdout ?? {})).toEqual(["network"]);
    expect(Object.keys(honest.quantile_head?.holdout.network ?? {}).sort()).toEqual([...keys].sort());
    expect(Object.keys(honest.quantile_head?.cv.network ?? {}).sort()).toEqual([...keys].sort());
    expect(honest.quantile_head?.holdout.network.coverage_95).toBeGreaterThan(0.5);
    // The head learned on windows before the holdout: it cannot stretch to values a thousand times larger.
    expect(shifted.quantile_head?.holdout.network.coverage_80).toBe(0);
    expect(shifted.quantile_head?.holdout.network.coverage_95).toBe(0);
    // The point forecast is the network's own: the report without a head gives the same MASE.
    const headless = await run(salesFile(1), [...WITH_HEAD, "model.quantile_head=false"]);
    expect(headless.quantile_head).toBeUndefined();
    expect(headless.members.network.mase).toBe(honest.members.network.mase);
  });

  it("scores the ensemble's bands both ways, the model's being those the cross-validation chose", async () => {
    const [honest, shifted] = [await run(salesFile(1), WITH_HEAD), await run(salesFile(1000), WITH_HEAD)];
    const { methods, conformal, head_scaled } = honest.ensemble_intervals;
    expect(head_scaled?.member).toBe("network");
    expect(methods).toHaveLength(1);
    const chosen = methods[0] === "head_scaled" ? head_scaled : conformal;
    const other = methods[0] === "head_scaled" ? conformal : head_scaled;
    expect(honest.model.msis_95).toBe(chosen?.holdout.msis_95);
    expect(honest.cv.model.msis_95).toBe(chosen?.cv.msis_95);
    // chosen on the cross-validation's mean MSIS over the levels
    const mean = (m: Record<string, number> | undefined) => ((m?.msis_80 ?? 0) + (m?.msis_95 ?? 0)) / 2;
    expect(mean(chosen?.cv)).toBeLessThanOrEqual(mean(other?.cv));
    // neither calibration read the holdout
    expect(shifted.ensemble_intervals.head_scaled?.holdout.coverage_95).toBe(0);
    expect(shifted.ensemble_intervals.conformal.holdout.coverage_95).toBe(0);
  });
});
