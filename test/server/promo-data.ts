import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { Rng } from "../../src/model/index.ts";
import type { SalescastApp } from "../../src/server/index.ts";

/** Weekly sales of series a and b: 200, plus PROMO_LIFT on promotion weeks, plus noise of std 2. */
export const PROMO_WEEKS = 120;
export const PROMO_HORIZON = 4;
export const PROMO_LIFT = 50;

export const weekDate = (t: number) => new Date(Date.UTC(2020, 0, 3 + 7 * t)).toISOString().slice(0, 10);

/**
 * Writes `sales.csv` and `covariates.csv` (promo, known ahead, and temperature, past-only) into `root`; the
 * covariates reach the horizon past the last week. Returns what the covariates file holds, by series.
 */
export function writePromoData(root: string): Map<string, { promo: number[]; temperature: number[] }> {
  const rng = new Rng(3);
  const written = new Map<string, { promo: number[]; temperature: number[] }>();
  const promo = Array.from({ length: PROMO_WEEKS + PROMO_HORIZON }, () =>
    rng.nextUint32() % 3 === 0 ? 1 : 0,
  );
  const sales = ["series_id,date,value"];
  const covariates = ["series_id,date,promo,temperature"];
  for (const id of ["a", "b"]) {
    const rows = { promo: [] as number[], temperature: [] as number[] };
    for (let t = 0; t < PROMO_WEEKS + PROMO_HORIZON; t++) {
      if (t < PROMO_WEEKS)
        sales.push(`${id},${weekDate(t)},${200 + PROMO_LIFT * promo[t] + 2 * rng.normal()}`);
      const temperature = 10 + rng.normal();
      covariates.push(`${id},${weekDate(t)},${promo[t]},${temperature}`);
      rows.promo.push(promo[t]);
      rows.temperature.push(temperature);
    }
    written.set(id, rows);
  }
  writeFileSync(join(root, "sales.csv"), `${sales.join("\n")}\n`);
  writeFileSync(join(root, "covariates.csv"), `${covariates.join("\n")}\n`);
  return written;
}

/** Overrides training on the promo data in `root`, with its covariates and US holidays. */
export function promoOverrides(root: string, window: number): string[] {
  return [
    `paths.artifacts=${JSON.stringify(root)}`,
    `registry.path=${JSON.stringify(join(root, "registry.db"))}`,
    `data.csv_path=${JSON.stringify(join(root, "sales.csv"))}`,
    "data.format=auto",
    `data.window_size=${window}`,
    `data.horizon=${PROMO_HORIZON}`,
    "data.season=4",
    "data.normalization=series",
    `data.covariates_path=${JSON.stringify(join(root, "covariates.csv"))}`,
    "data.known_future=[promo]",
    "data.holidays={country: US}",
  ];
}

/** A flat window of 200, a past-only temperature of 10, and promo values: none in the window, then `horizon`. */
export function promoRequest(windowSize: number) {
  return {
    window: Array.from({ length: windowSize }, () => 200),
    past: Array.from({ length: windowSize }, () => 10),
    promoFor: (horizon: number[]) => [...Array(windowSize).fill(0), ...horizon],
  };
}

/**
 * The forecast's change, step by step, when the horizon has promotions in weeks 1 and 3 rather than none, for
 * a flat window starting on 2021-06-04 posted to `/api/predict`.
 */
export async function promoLift(app: SalescastApp, windowSize: number): Promise<number[]> {
  const { window, past, promoFor } = promoRequest(windowSize);
  const predict = async (promo: number[]) => {
    const response = await app.inject({
      method: "POST",
      url: "/api/predict",
      payload: {
        series: window,
        start: "2021-06-04",
        covariates: { promo: promoFor(promo), temperature: past },
      },
    });
    expect(response.statusCode).toBe(200);
    return response.json().forecast as number[];
  };
  const without = await predict([0, 0, 0, 0]);
  const withPromo = await predict([1, 0, 1, 0]);
  return withPromo.map((v, k) => v - without[k]);
}

/** The data were made with a lift of PROMO_LIFT on promotion weeks and none otherwise: within 5 of both. */
export function expectPromotionLift(lift: readonly number[]): void {
  expect(Math.abs(lift[0] - PROMO_LIFT)).toBeLessThan(5);
  expect(Math.abs(lift[2] - PROMO_LIFT)).toBeLessThan(5);
  expect(Math.abs(lift[1])).toBeLessThan(5);
  expect(Math.abs(lift[3])).toBeLessThan(5);
}
