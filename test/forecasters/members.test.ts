import { describe, expect, it } from "vitest";
import { type Config, loadConfig } from "../../src/config/index.ts";
import type { Series } from "../../src/data/index.ts";
import { type FitContext, MEMBERS } from "../../src/forecasters/index.ts";

const base = loadConfig("config/config.yaml", ["train.max_epochs=3"], {});

function series(id: string, values: number[]): Series {
  return { id, frequency: "D", start: "2024-01-01", values: Float64Array.from(values) };
}

function context(config: Config, horizon: number, windowSize: number, season = 7): FitContext {
  return {
    config,
    frequency: "D",
    season,
    horizon,
    split: { windowSize, horizon, validationFraction: 0.2 },
  };
}

/** Forecast `horizon` steps from the end of each series with the member fitted on all of them. */
async function forecastEnd(name: keyof typeof MEMBERS, all: Series[], ctx: FitContext): Promise<number[][]> {
  const fitted = MEMBERS[name].fit(all, ctx);
  const forecasts = await fitted.onAll(
    all.map((s, seriesIndex) => ({ seriesIndex, history: s.values })),
    ctx.horizon,
  );
  return forecasts.map((f) => Array.from(f));
}

const weekly = (weeks: number) => Array.from({ length: weeks * 7 }, (_, t) => [5, 3, 4, 6, 8, 12, 10][t % 7]);

describe("members on hand-computable series", () => {
  it("naive repeats the last value and seasonal naive the last season", async () => {
    const s = series("a", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const ctx = context(base, 4, 3, 3);
    expect(await forecastEnd("naive", [s], ctx)).toEqual([[10, 10, 10, 10]]);
    expect(await forecastEnd("seasonal_naive", [s], ctx)).toEqual([[8, 9, 10, 8]]);
  });

  it("linear continues a ramp at any level (window normalization), within 0.5%", async () => {
    const ramp = (start: number, n: number) => Array.from({ length: n }, (_, t) => start + 2 * t);
    const ctx = context(base, 3, 6);
    const got = await forecastEnd(
      "linear",
      [series("low", ramp(10, 60)), series("high", ramp(1000, 60))],
      ctx,
    );
    const expected = [
      [130, 132, 134],
      [1120, 1122, 1124],
    ];
    got.forEach((row, s) => {
      row.forEach((v, k) => {
        expect(Math.abs(v - expected[s][k]) / expected[s][k]).toBeLessThan(0.005);
      });
    });
  });

  it("mstl and ets forecast a constant series as that constant, and mstl a weekly pattern as the pattern", async () => {
    const flat = series("flat", new Array(70).fill(50));
    const ctx = context(base, 7, 14);
    for (const name of ["mstl", "ets"] as const) {
      for (const v of (await forecastEnd(name, [flat], ctx))[0]) expect(v).toBeCloseTo(50, 4);
    }
    const pattern = (await forecastEnd("mstl", [series("weekly", weekly(12))], ctx))[0];
    pattern.forEach((v, k) => {
      expect(v).toBeCloseTo([5, 3, 4, 6, 8, 12, 10][k], 1);
    });
  });

  it("the networks learn a weekly pattern better than naive does", async () => {
    const noisy = weekly(30).map((v, t) => v * 10 + ((t * 37) % 11) / 10);
    const ctx = context(
      loadConfig("config/config.yaml", ["train.max_epochs=40", "train.patience=40"], {}),
      7,
      14,
    );
    const truth = [5, 3, 4, 6, 8, 12, 10].map((v) => v * 10);
    const history = series("weekly", noisy.slice(0, noisy.length - (noisy.length % 7)));
    const mae = (row: number[]) => row.reduce((sum, v, k) => sum + Math.abs(v - truth[k]), 0) / row.length;
    const naiveError = mae((await forecastEnd("naive", [history], ctx))[0]);
    for (const name of ["network", "network_on_linear"] as const) {
      expect(mae((await forecastEnd(name, [history], ctx))[0]), name).toBeLessThan(naiveError / 2);
    }
  });
});
