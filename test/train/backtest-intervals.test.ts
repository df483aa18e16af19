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

const run = (file: string) =>
  backtest(
    loadConfig("config/config.yaml", [
      `data.csv_path=${JSON.stringify(file)}`,
      "data.format=auto",
      "model.members=[seasonal_naive,linear]",
      "model.levels=[80,95]",
    ]),
    { holdout: HOLDOUT, autoSize: true },
  );

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
});
