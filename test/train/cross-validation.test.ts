import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import type { Series } from "../../src/data/index.ts";
import {
  cvOrigins,
  ensembleCrossFitForecasts,
  ensembleCvForecasts,
  type MemberRun,
  sampledOrigins,
  weightsFromCv,
} from "../../src/train/cross-validation.ts";
import { ENSEMBLE_METHODS, type EnsembleMethod } from "../../src/train/ensemble.ts";
import { backtest } from "../../src/train/index.ts";
import { fitPanel } from "../../src/train/panel.ts";

const dir = mkdtempSync(join(tmpdir(), "salescast-cv-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function series(id: string, values: number[]): Series {
  return { id, frequency: "D", start: "2024-01-01", values: Float64Array.from(values) };
}

const wavy = (n: number, phase = 0) =>
  Array.from({ length: n }, (_, t) => 100 + 30 * Math.sin((2 * Math.PI * (t + phase)) / 7) + ((t * 13) % 5));

/** Two steps of value v at every step, as a member's forecast at one origin. */
const flat = (v: number) => Float64Array.from([v, v]);
/** A member's run with these cross-validation forecasts (one series, one origin each). */
const memberRun = (name: "naive" | "linear", values: number[]): MemberRun =>
  ({ name, cv: [values.map(flat)], final: [], seconds: 0, fitted: {} }) as unknown as MemberRun;

describe("cross-validation origins", () => {
  it("places K origins one step apart, the last H before the end, all in the validation part", () => {
    const split = { windowSize: 7, horizon: 5, validationFraction: 0.2 };
    // length 100: validation is round(0.2 * 100) = 20 points, trainEnd 80.
    expect(cvOrigins([series("a", wavy(100))], split, 3, 5)).toEqual([[85, 90, 95]]);
    // Only origins at or after trainEnd count: a fourth would be at 80, a fifth at 75 (< 80).
    expect(cvOrigins([series("a", wavy(100))], split, 5, 5)).toEqual([[80, 85, 90, 95]]);
    // With a fixed validation length (the cv command), the first origin is its start.
    expect(cvOrigins([series("a", wavy(100))], { ...split, validationLength: 15 }, 3, 5)).toEqual([
      [85, 90, 95],
    ]);
  });

  it("keeps the origins of a seeded sample of series only, the same for the same seed", () => {
    const origins = Array.from({ length: 10 }, (_, s) => [s, s + 5]);
    const sampled = sampledOrigins(origins, 4, 42);
    expect(sampled.filter((list) => list.length > 0)).toHaveLength(4);
    sampled.forEach((list, s) => {
      if (list.length > 0) expect(list).toEqual(origins[s]);
    });
    expect(sampledOrigins(origins, 4, 42)).toEqual(sampled);
    expect(sampledOrigins(origins, 4, 7)).not.toEqual(sampled);
    expect(sampledOrigins(origins, 0, 42)).toEqual(origins);
    expect(sampledOrigins(origins, 10, 42)).toEqual(origins);
  });

  it("scores a sample of series, and forecasts and weighs every series", async () => {
    const config = loadConfig("config/config.yaml", ["model.members=[naive, seasonal_naive]"], {});
    const context = {
      config,
      frequency: "D" as const,
      season: 7,
      horizon: 7,
      split: { windowSize: 14, horizon: 7, validationFraction: 0.3 },
    };
    // Irregular at first (so the MASE scales are not 0), then the same week over and over.
    const weekly = (level: number) =>
      Array.from(
        { length: 120 },
        (_, t) => level * ([30, 50, 20, 80, 60, 40, 10][t % 7] + (t < 40 ? t % 3 : 0)),
      );
    const all = Array.from({ length: 6 }, (_, s) => series(`s${s}`, weekly(s + 1)));
    for (const ensemble of ["weighted", "pooled"] as const) {
      const panel = await fitPanel(all, context, {
        members: config.model.members,
        ensemble,
        windows: 3,
        step: 7,
        cvSeries: 2,
      });
      expect(panel.origins.filter((list) => list.length === 3)).toHaveLength(2);
      expect(panel.origins.filter((list) => list.length === 0)).toHaveLength(4);
      // Seasonal naive is exact on these weekly waves at the sampled origins: every series, sampled or not,
      // gives it all the weight, and its forecast is the ensemble's.
      panel.weights.forEach((w, s) => {
        expect(w, `${ensemble} s${s}`).toEqual([0, 1]);
        expect(Array.from(panel.ensembleFinal[s])).toEqual(Array.from(panel.runs[1].final[s]));
      });
    }
  });

  it("forecasts each origin from the history before it only: the future after an origin changes nothing", async () => {
    const config = loadConfig("config/config.yaml", ["model.members=[naive, seasonal_naive, mstl]"], {});
    const context = {
      config,
      frequency: "D" as const,
      season: 7,
      horizon: 7,
      split: { windowSize: 14, horizon: 7, validationFraction: 0.3 },
    };
    const options = {
      members: config.model.members,
      ensemble: "weighted" as const,
      windows: 3,
      step: 7,
      cvSeries: 0,
    };
    const original = wavy(120);
    const panel = await fitPanel([series("a", original)], context, options);
    const [first, second] = panel.origins[0];
    // Change everything from the second origin on: the first origin's forecasts stay as they were.
    const changed = original.map((v, t) => (t >= second ? v * 3 + 50 : v));
    const other = await fitPanel([series("a", changed)], context, options);
    expect(other.origins[0][0]).toBe(first);
    panel.runs.forEach((run, m) => {
      expect(Array.from(other.runs[m].cv[0][0]), run.name).toEqual(Array.from(run.cv[0][0]));
    });
  });

  it("with ensemble auto, combines by the method whose ensemble scores best in the cross-validation", async () => {
    const config = loadConfig("config/config.yaml", ["model.members=[naive, seasonal_naive, mstl]"], {});
    const context = {
      config,
      frequency: "D" as const,
      season: 7,
      horizon: 7,
      split: { windowSize: 14, horizon: 7, validationFraction: 0.4 },
    };
    const all = [
      series("a", wavy(150)),
      series(
        "b",
        wavy(150, 2).map((v, t) => v + (t % 11)),
      ),
    ];
    const panel = (ensemble: "auto" | EnsembleMethod) =>
      fitPanel(all, context, { members: config.model.members, ensemble, windows: 5, step: 7, cvSeries: 0 });
    const auto = await panel("auto");
    const each = await Promise.all(ENSEMBLE_METHODS.map((method) => panel(method)));
    const best = Math.min(...each.map((p) => p.cvMetrics.ensemble.mase));
    expect(auto.cvMetrics.ensemble.mase).toBe(best);
    const chosen = each.find((p) => p.cvMetrics.ensemble.mase === best);
    expect(auto.method).toBe(chosen?.method);
    expect(Array.from(auto.ensembleFinal[0])).toEqual(Array.from(chosen?.ensembleFinal[0] ?? []));
  });

  it("weights the ensemble at an origin by earlier origins only, and equally at the first", () => {
    // Member "naive" is perfect at the first origin and far off at the second; "linear" the other way round.
    const runs = [memberRun("naive", [10, 0]), memberRun("linear", [30, 50])];
    const actuals = [[flat(10), flat(50)]];
    const combined = ensembleCvForecasts("weighted", runs, actuals, [[20, 30]], [1], 2);
    expect(Array.from(combined[0][0])).toEqual([20, 20]); // equal weights: (10 + 30) / 2
    // At the second origin only the first one is known, where "naive" was perfect: it takes all the weight,
    // although it is the worse member there. Knowing the second origin's error would have chosen "linear".
    expect(Array.from(combined[0][1])).toEqual([0, 0]);
  });

  it("pools one set of weights over every series with `pooled`, each series' errors over its scale", () => {
    // Two series, one origin each. On the first (scale 1) "naive" is off by 1 and "linear" perfect; on the
    // second (scale 100) "naive" is perfect and "linear" off by 50: half a scale against one whole, so the
    // first series decides, and "linear" takes all the weight of both. Raw errors would have chosen "naive".
    const runs = [
      { ...memberRun("naive", [11]), cv: [[flat(11)], [flat(0)]] },
      { ...memberRun("linear", [10]), cv: [[flat(10)], [flat(50)]] },
    ];
    const weights = weightsFromCv("pooled", runs, [[flat(10)], [flat(0)]], [1, 100]);
    expect(weights).toEqual([
      [0, 1],
      [0, 1],
    ]);
  });

  it("cross-fitted for the intervals, combines each origin with the weights of the others", () => {
    const runs = [memberRun("naive", [10, 0]), memberRun("linear", [30, 50])];
    const actuals = [[flat(10), flat(50)]];
    const combined = ensembleCrossFitForecasts("weighted", runs, actuals, [[20, 30]], [1]);
    // The first origin learns from the second, where "linear" was perfect; the second from the first.
    expect(Array.from(combined[0][0])).toEqual([30, 30]);
    expect(Array.from(combined[0][1])).toEqual([0, 0]);
  });
});

describe("the backtest's holdout", () => {
  const csv = (name: string, holdoutScale: number) => {
    const lines = ["series_id,date,value"];
    for (const [id, phase] of [
      ["a", 0],
      ["b", 3],
    ] as const) {
      const values = wavy(140, phase);
      values.forEach((v, t) => {
        const date = new Date(Date.UTC(2024, 0, 1 + t)).toISOString().slice(0, 10);
        lines.push(`${id},${date},${t >= 126 ? v * holdoutScale : v}`);
      });
    }
    const file = join(dir, name);
    writeFileSync(file, `${lines.join("\n")}\n`);
    return file;
  };

  it("is never read: other holdout values change the scores, never the forecasts, weights or cv", async () => {
    const run = (file: string) =>
      backtest(
        loadConfig("config/config.yaml", [
          `data.csv_path=${JSON.stringify(file)}`,
          "data.format=auto",
          "data.horizon=14",
          "model.members=[seasonal_naive, linear, mstl]",
        ]),
        { holdout: 14, autoSize: true },
      );
    const [plain, changed] = [await run(csv("plain.csv", 1)), await run(csv("changed.csv", 5))];
    expect(changed.cv).toEqual(plain.cv);
    expect(changed.window_member).toBe(plain.window_member);
    expect(changed.model.mase).not.toBeCloseTo(plain.model.mase, 3);
    // The forecasts are the same: with the holdout 5 times larger, the absolute errors are the scaled ones.
    for (const name of ["seasonal_naive", "linear", "mstl"]) {
      expect(changed.members[name].mae).toBeGreaterThan(plain.members[name].mae);
    }
  });
});
