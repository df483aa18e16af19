import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { crossValidate, cvRowsCsv } from "../../src/train/cv.ts";

const dir = mkdtempSync(join(tmpdir(), "salescast-cvcmd-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Two daily series of 100 days from 2024-01-01 (so the last date is 2024-04-09). */
function writeCsv(): string {
  const lines = ["series_id,date,value"];
  for (const [id, level] of [
    ["a", 100],
    ["b", 40],
  ] as const) {
    for (let t = 0; t < 100; t++) {
      const date = new Date(Date.UTC(2024, 0, 1 + t)).toISOString().slice(0, 10);
      lines.push(`${id},${date},${level + 10 * Math.sin((2 * Math.PI * t) / 7) + (t % 3)}`);
    }
  }
  const file = join(dir, "two.csv");
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

describe("salescast cv", () => {
  it("scores K origins S apart, the last H before the end, with a row per series, origin and step", async () => {
    const config = loadConfig("config/config.yaml", [
      `data.csv_path=${JSON.stringify(writeCsv())}`,
      "data.format=auto",
      "data.horizon=7",
      "model.members=[naive, seasonal_naive, linear]",
    ]);
    const { report, rows } = await crossValidate(config, { horizon: 7, windows: 3, step: 5, autoSize: true });
    // Origins at 100 - 7 - 2*5 = 83, 88 and 93: the cutoffs are the days before them (index 82, 87, 92).
    expect(report.origins.map((o) => o.cutoff)).toEqual(["2024-03-23", "2024-03-28", "2024-04-02"]);
    expect(Object.keys(report.members)).toEqual(["naive", "seasonal_naive", "linear"]);
    // No member has a quantile head: the ensemble's bands are conformal, its scores the model's
    expect(report.ensemble_intervals.methods).toEqual(["conformal"]);
    expect(report.ensemble_intervals.head_scaled).toBeUndefined();
    expect(report.ensemble_intervals.conformal.msis_95).toBe(report.model.msis_95);
    expect(rows).toHaveLength(2 * 3 * 7);
    // The first origin has no earlier one to weigh the members by: its ensemble is their plain mean.
    for (const row of rows.filter((r) => r.cutoff === "2024-03-23")) {
      expect(row.ensemble).toBeCloseTo((row.members[0] + row.members[1] + row.members[2]) / 3, 9);
    }
    const last = rows.filter((r) => r.series_id === "a" && r.cutoff === "2024-04-02");
    expect(last.map((r) => r.date)).toEqual([
      "2024-04-03",
      "2024-04-04",
      "2024-04-05",
      "2024-04-06",
      "2024-04-07",
      "2024-04-08",
      "2024-04-09",
    ]);
    const csv = cvRowsCsv(rows, Object.keys(report.members)).split("\n");
    expect(csv[0]).toBe("series_id,cutoff,date,actual,ensemble,naive,seasonal_naive,linear");
    expect(csv).toHaveLength(1 + rows.length + 1);
  });
});
