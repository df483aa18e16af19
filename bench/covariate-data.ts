import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Rng } from "../src/model/index.ts";

/** Where a weekly sales file and its covariates file were written, and a request's body for each route. */
export interface CovariateData {
  sales: string;
  covariates: string;
  /** `POST /api/predict` bodies: the sales window alone, and with its start and covariates. */
  plainBody: string;
  featuresBody: string;
}

const WEEKS = 160;
const weekDate = (t: number) => new Date(Date.UTC(2011, 0, 7 + 7 * t)).toISOString().slice(0, 10);

/**
 * Seeded weekly sales of two series, 200 plus 50 in promotion weeks, and a covariates file with the promotion
 * (known ahead, reaching `horizon` weeks past the sales) and a past-only temperature.
 */
export function writeCovariateData(folder: string, window: number, horizon: number): CovariateData {
  mkdirSync(folder, { recursive: true });
  const rng = new Rng(3);
  const promo = Array.from({ length: WEEKS + horizon }, () => (rng.nextUint32() % 3 === 0 ? 1 : 0));
  const temperature = promo.map(() => Math.round(100 * (10 + rng.normal())) / 100);
  const salesRows = ["series_id,date,value"];
  const covariateRows = ["series_id,date,promo,temperature"];
  for (const id of ["a", "b"]) {
    for (let t = 0; t < WEEKS + horizon; t++) {
      covariateRows.push(`${id},${weekDate(t)},${promo[t]},${temperature[t]}`);
      if (t < WEEKS)
        salesRows.push(`${id},${weekDate(t)},${(200 + 50 * promo[t] + 2 * rng.normal()).toFixed(2)}`);
    }
  }
  const sales = join(folder, "sales.csv");
  const covariates = join(folder, "covariates.csv");
  writeFileSync(sales, `${salesRows.join("\n")}\n`);
  writeFileSync(covariates, `${covariateRows.join("\n")}\n`);
  const from = WEEKS - window;
  const series = Array.from({ length: window }, (_, k) => 200 + 50 * promo[from + k]);
  const featuresBody = {
    series,
    start: weekDate(from),
    covariates: { promo: promo.slice(from, WEEKS + horizon), temperature: temperature.slice(from, WEEKS) },
  };
  return {
    sales,
    covariates,
    plainBody: JSON.stringify({ series }),
    featuresBody: JSON.stringify(featuresBody),
  };
}
