import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../src/model/index.ts";
import { buildDashboard, launchChromium, pixelsOfColor, requireChromium } from "./chromium.ts";
import { type SalescastProcess, startSalescast } from "./salescast-process.ts";

// The Forecast page's "what if" on a model with a known-future covariate and US holidays, in Debian's
// Chromium against the real server: weekly sales of 200, plus 50 in promotion weeks, so moving a promotion
// into the horizon's first week must lift the first forecast by about 50.

const WEEKS = 120;
const HORIZON = 4;
const WINDOW = 8;
const PROMO_LIFT = 50;
// Fridays from 2011-01-07, as Walmart's weeks: the charts' last year holds Thanksgiving and Christmas 2012
const weekDate = (t: number) => new Date(Date.UTC(2011, 0, 7 + 7 * t)).toISOString().slice(0, 10);
// the marks' color in web/src/components/chart.tsx, #f59e0b
const MARK_COLOR = "rgb(245, 158, 11)";
const SCREENSHOTS = "test-output/screenshots";

let server: SalescastProcess;
let browser: BrowserContext;
let page: Page;
const pageErrors: string[] = [];
const promo: number[] = [];
const temperature: number[] = [];
const sales: number[] = [];

beforeAll(async () => {
  requireChromium();
  buildDashboard();
  const root = mkdtempSync(join(tmpdir(), "salescast-what-if-"));
  const rng = new Rng(5);
  const salesRows = ["series_id,date,value"];
  const covariateRows = ["series_id,date,promo,temperature"];
  for (let t = 0; t < WEEKS + HORIZON; t++) {
    promo.push(rng.nextUint32() % 3 === 0 ? 1 : 0);
    temperature.push(Math.round(100 * (10 + rng.normal())) / 100);
    covariateRows.push(`a,${weekDate(t)},${promo[t]},${temperature[t]}`);
    if (t >= WEEKS) continue;
    sales.push(Math.round(100 * (200 + PROMO_LIFT * promo[t] + 2 * rng.normal())) / 100);
    salesRows.push(`a,${weekDate(t)},${sales[t]}`);
  }
  writeFileSync(join(root, "sales.csv"), `${salesRows.join("\n")}\n`);
  writeFileSync(join(root, "covariates.csv"), `${covariateRows.join("\n")}\n`);
  server = await startSalescast([
    `data.csv_path=${join(root, "sales.csv")}`,
    "data.format=auto",
    `data.window_size=${WINDOW}`,
    `data.horizon=${HORIZON}`,
    "data.season=4",
    "data.normalization=series",
    `data.covariates_path=${join(root, "covariates.csv")}`,
    "data.known_future=[promo]",
    "data.holidays={country: US}",
    "model.members=[seasonal_naive, linear]",
    "forecast.clip_negative=false",
  ]);
  browser = await launchChromium(1280);
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on("pageerror", (error) => pageErrors.push(error.message));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const forecastValue = async () => Number(await page.getByTestId("forecast-value").getAttribute("data-value"));

/** The API's first forecast from the last window, with these promotions in the horizon. */
async function predictWith(horizonPromo: number[]): Promise<number> {
  const from = WEEKS - WINDOW;
  const answer = await fetch(`${server.url}/api/predict/a`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      series: sales.slice(from, WEEKS),
      start: weekDate(from),
      covariates: {
        promo: [...promo.slice(from, WEEKS), ...horizonPromo],
        temperature: temperature.slice(from, WEEKS),
      },
    }),
  });
  expect(answer.status).toBe(200);
  return ((await answer.json()) as { predicted_sales: number }).predicted_sales;
}

describe("the Forecast page's what if with covariates", () => {
  it("opens with the covariates file's promotions in the horizon, and forecasts as the API does for them", async () => {
    await page.goto(`${server.url}/#/forecast?series=a`);
    const table = page.getByTestId("future-covariates");
    await table.waitFor();
    for (let k = 0; k < HORIZON; k++) {
      const cell = page.getByLabel(`promo on ${weekDate(WEEKS + k)}`);
      await expect.poll(() => cell.inputValue()).toBe(String(promo[WEEKS + k]));
    }
    const expected = await predictWith(promo.slice(WEEKS));
    await expect.poll(forecastValue).toBe(expected);
  });

  it("lifts the first week's forecast by about the promotion's 50 when a person puts one there", async () => {
    const later = promo.slice(WEEKS + 1);
    const [without, withPromo] = [await predictWith([0, ...later]), await predictWith([1, ...later])];
    // the data were made with a lift of 50 in promotion weeks
    expect(Math.abs(withPromo - without - PROMO_LIFT)).toBeLessThan(10);
    const first = page.getByLabel(`promo on ${weekDate(WEEKS)}`);
    for (const [value, expected] of [
      ["0", without],
      ["1", withPromo],
    ] as const) {
      await first.fill(value);
      await page.getByRole("button", { name: "Forecast", exact: true }).click();
      await expect.poll(forecastValue).toBe(expected);
    }
  });

  it("names the covariate and the week of a cell that is not a number", async () => {
    await page.getByLabel(`promo on ${weekDate(WEEKS + 1)}`).fill("soon");
    await page.getByRole("button", { name: "Forecast", exact: true }).click();
    await expect
      .poll(() => page.getByRole("alert").textContent())
      .toContain(`promo for ${weekDate(WEEKS + 1)} must be a number`);
  });

  it("marks the US holidays on the chart and names them", async () => {
    const holidays = page.getByTestId("holiday");
    await holidays.first().waitFor();
    const named = await holidays.allTextContents();
    expect(named).toContain("2012-11-22 Thanksgiving Day");
    expect(named.some((text) => text.startsWith("2012-12-25 Christmas Day"))).toBe(true);
    // the dotted lines are drawn in their own color on the stored forecast's chart
    const chart = page.getByRole("img", { name: /^Sales of a, then the ensemble/ });
    const marked = await pixelsOfColor(chart, MARK_COLOR);
    expect(marked, "pixels of the holiday marks").toBeGreaterThan(50);
    expect(pageErrors).toEqual([]);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, "what-if.png"), fullPage: true });
  });
});
