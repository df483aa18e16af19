import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDashboard, launchChromium, pixelsOfColor, requireChromium } from "./chromium.ts";
import { type SalescastProcess, startSalescast } from "./salescast-process.ts";

// Drives the built dashboard in Debian's Chromium against the real server (`salescast serve`), and checks
// what the pages show against what the API answers.

const SCREENSHOTS = "test-output/screenshots";
const ADMIN_TOKEN = "e2e-admin-token";
const WIDTHS = { laptop: 1280, phone: 390 } as const;

interface SeriesSummary {
  id: string;
  length: number;
  last_value: number;
}
interface ServingModel {
  name: string;
  window_size: number;
  series: string[];
}
interface Prediction {
  predicted_sales: number;
  model: { name: string; version: string };
}
interface Metrics {
  mae: number | null;
  rmse: number | null;
  mase: number | null;
  intervals?: Record<string, number | null>;
}
interface ModelVersion {
  id: number;
  name: string;
  stage: string;
  metrics: { model: Metrics; naive: Metrics; seasonal_naive: Metrics };
}
interface ModelDetail extends ModelVersion {
  artifact: {
    window_member: string;
    ensemble: { method: string; members: string[] };
    members: Record<string, { cv: Metrics & { smape: number | null } }>;
  };
}
interface StoredForecast {
  model: { name: string; version: string };
  forecast: { date: string; value: number }[];
  members: Record<string, number[]>;
  intervals: Record<string, { lower: number[]; upper: number[] }>;
}

let server: SalescastProcess;
let browser: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; token?: string } = {},
): Promise<T> {
  const headers: Record<string, string> = {};
  if (init.body !== undefined) headers["content-type"] = "application/json";
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const response = await fetch(`${server.url}${path}`, {
    method: init.method ?? "GET",
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  if (!response.ok) {
    // a route the app lacks answers the not-found handler's "no route for ..."
    const hint = text.includes('"no route for') ? " (is its route registered in src/server/app.ts?)" : "";
    throw new Error(`${init.method ?? "GET"} ${path} answered ${response.status}: ${text}${hint}`);
  }
  return JSON.parse(text) as T;
}

/** The model the server picks for a series: its own, else the global one. */
async function servingModel(seriesId: string): Promise<ServingModel> {
  const { models } = await api<{ models: ServingModel[] }>("/api/health");
  const model =
    models.find((m) => m.name === `series:${seriesId}`) ??
    models.find((m) => m.name === "global" && m.series.includes(seriesId));
  if (model === undefined) throw new Error(`no model serves ${seriesId}:\n${server.output()}`);
  return model;
}

async function lastWindow(seriesId: string): Promise<number[]> {
  const { window_size } = await servingModel(seriesId);
  const { values } = await api<{ values: number[] }>(`/api/series/${encodeURIComponent(seriesId)}`);
  return values.slice(-window_size);
}

const predict = (seriesId: string, series: number[]) =>
  api<Prediction>(`/api/predict/${encodeURIComponent(seriesId)}`, { method: "POST", body: { series } });

/** Checks a figure the page shows (en-US, e.g. "1,234.56") against the exact one, within its rounding. */
function expectShown(text: string | null, exact: number | null | undefined, decimals: number): void {
  const shown = Number((text ?? "").replace(/[,%]/g, ""));
  expect(exact, "the exact figure").toBeTypeOf("number");
  expect(Math.abs(shown - (exact as number)), `"${text}" shows ${exact}`).toBeLessThanOrEqual(
    0.5 * 10 ** -decimals + 1e-9,
  );
}

async function open(route: string): Promise<void> {
  await page.goto(`${server.url}/#/${route}`);
  await page.getByRole("heading", { level: 1 }).waitFor();
}

const shoot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

// The browser API the check below calls inside the page (this project's TypeScript has no DOM types).
type PageGlobals = { getComputedStyle(element: unknown): { borderColor: string } };

/** The CSS color of a uPlot legend entry's marker: the color its line is drawn in. */
const markerColor = (entry: Locator) =>
  entry
    .locator(".u-marker")
    .evaluate((marker) => (globalThis as unknown as PageGlobals).getComputedStyle(marker).borderColor);

beforeAll(async () => {
  requireChromium();
  buildDashboard();
  // the admin token makes the Models page ask for it, as it must when a server has one
  const previous = process.env.SALESCAST_ADMIN_TOKEN;
  process.env.SALESCAST_ADMIN_TOKEN = ADMIN_TOKEN;
  try {
    server = await startSalescast();
  } finally {
    if (previous === undefined) delete process.env.SALESCAST_ADMIN_TOKEN;
    else process.env.SALESCAST_ADMIN_TOKEN = previous;
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await launchChromium(WIDTHS.laptop);
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on("pageerror", (error) => pageErrors.push(error.message));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("the dashboard in Chromium", () => {
  it("is served at GET / with its assets", async () => {
    const response = await fetch(`${server.url}/`);
    expect(response.status, "GET /: is registerDashboard wired into src/server/app.ts?").toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toBe(readFileSync("web/dist/index.html", "utf8"));
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script, "index.html names its script").toBeDefined();
    expect((await fetch(`${server.url}${script}`)).status).toBe(200);
  });

  it("Explore lists every series and charts the one picked", async () => {
    const { series } = await api<{ series: SeriesSummary[] }>("/api/series");
    await open("explore");
    const rows = page.getByRole("table", { name: /^Series \(/ }).locator("tbody tr");
    await expect.poll(() => rows.count()).toBe(series.length);
    for (const [i, one] of series.entries()) {
      await expect.poll(() => rows.nth(i).textContent()).toContain(`${one.length} days`);
    }
    const picked = series[1];
    await page.getByRole("button", { name: picked.id, exact: true }).click();
    await expect.poll(() => page.url()).toContain(`series=${picked.id}`);
    await page.getByRole("heading", { level: 2, name: picked.id }).waitFor();
    await page
      .getByRole("img", { name: `Sales of ${picked.id}` })
      .locator("canvas")
      .first()
      .waitFor();
    await expect.poll(() => page.getByText(`${picked.length} periods`).count()).toBe(1);
    await shoot("explore");
  });

  it("Forecast draws the stored forecast of the ensemble after the history, and each member's, named in the legend", async () => {
    const { series } = await api<{ series: SeriesSummary[] }>("/api/series");
    const seriesId = series[0].id;
    const stored = await api<StoredForecast>(`/api/forecast/${encodeURIComponent(seriesId)}`);
    const members = Object.keys(stored.members);
    expect(members.length, "the bundled config's ensemble has several members").toBeGreaterThan(1);

    await open(`forecast?series=${encodeURIComponent(seriesId)}`);
    const table = page.getByTestId("stored-forecast");
    await table.waitFor();
    const levels = Object.keys(stored.intervals);
    expect(levels, "the default levels' intervals").toEqual(["80", "95"]);
    expect(await table.locator("thead th").allTextContents()).toEqual([
      "Period",
      "Ensemble",
      "80% interval",
      "95% interval",
      ...members,
    ]);
    const rows = table.locator("tbody tr");
    await expect.poll(() => rows.count()).toBe(stored.forecast.length);
    for (const [k, point] of stored.forecast.entries()) {
      expect(await rows.nth(k).locator("th").textContent()).toBe(point.date);
      const cells = await rows.nth(k).locator("td").allTextContents();
      expectShown(cells[0], point.value, 2);
      for (const [i, level] of levels.entries()) {
        const [lower, upper] = cells[i + 1].split(" – ");
        expectShown(lower, stored.intervals[level].lower[k], 2);
        expectShown(upper, stored.intervals[level].upper[k], 2);
      }
      for (const [m, name] of members.entries()) {
        expectShown(cells[m + 1 + levels.length], stored.members[name][k], 2);
      }
    }
    expect(await page.getByTestId("stored-version").textContent()).toBe(stored.model.version);

    // the legend names the history, every member and the ensemble, and each named line is drawn in its color
    const chart = page.getByRole("img", { name: new RegExp(`^Sales of ${seriesId}, then the ensemble's`) });
    await chart.locator("canvas").waitFor();
    const legend = chart.locator(".u-legend .u-series");
    const labels = (await legend.locator(".u-label").allTextContents()).map((label) =>
      label.replace(/:$/, ""),
    );
    const bandLines = levels.flatMap((level) => [`${level}% upper`, `${level}% lower`]);
    expect(labels).toEqual(["Date", ...bandLines, "Sales", ...members, "Ensemble"]);
    for (const [i, label] of labels.entries()) {
      // the bands' edges are thin and translucent: the table above checks their values
      if (label === "Date" || bandLines.includes(label)) continue;
      const color = await markerColor(legend.nth(i));
      expect(await pixelsOfColor(chart, color), `the ${label} line is drawn`).toBeGreaterThan(20);
    }
    await page.screenshot({ path: join(SCREENSHOTS, "forecast-stored.png") });
  });

  it("Forecast shows the API's forecast for the series' last window, and for an edited one", async () => {
    const { series } = await api<{ series: SeriesSummary[] }>("/api/series");
    const seriesId = series[0].id;
    const window = await lastWindow(seriesId);
    const expected = await predict(seriesId, window);

    await open(`forecast?series=${encodeURIComponent(seriesId)}`);
    const value = page.getByTestId("forecast-value");
    await value.waitFor();
    expect(Number(await value.getAttribute("data-value"))).toBe(expected.predicted_sales);
    expectShown(await value.textContent(), expected.predicted_sales, 2);
    expect(await page.getByTestId("model-version").textContent()).toBe(expected.model.version);

    const edited = [...window];
    edited[edited.length - 1] = 4321;
    const cells = page.locator("form input");
    await cells.last().fill("4321");
    const editedExpected = await predict(seriesId, edited);
    expect(editedExpected.predicted_sales).not.toBe(expected.predicted_sales);
    await page.getByRole("button", { name: "Forecast", exact: true }).click();
    await expect
      .poll(async () => Number(await value.getAttribute("data-value")))
      .toBe(editedExpected.predicted_sales);
    await shoot("forecast");
  });

  it("Forecast says so in words when a window value is not a number", async () => {
    await page.locator("form input").first().fill("lots");
    await page.getByRole("button", { name: "Forecast", exact: true }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("must be a number");
  });

  it("Accuracy shows the serving model's validation metrics and one-step forecasts of the last points", async () => {
    const seriesId = (await api<{ series: SeriesSummary[] }>("/api/series")).series[0].id;
    const model = await servingModel(seriesId);
    const { models } = await api<{ models: ModelVersion[] }>("/api/models");
    const production = models.find((m) => m.name === model.name && m.stage === "production");
    expect(production, `a production version of ${model.name} in GET /api/models`).toBeDefined();

    const detail = await api<ModelDetail>(`/api/models/${production?.id}`);
    const { window_member, ensemble, members } = detail.artifact;

    await open(`accuracy?series=${encodeURIComponent(seriesId)}`);
    const rows = page.getByTestId("metrics-row");
    await rows.first().waitFor();
    // the ensemble, every member in its order, then the two baselines, each with its own figures
    expect(await rows.evaluateAll((all) => all.map((row) => row.getAttribute("data-forecaster")))).toEqual([
      "ensemble",
      ...ensemble.members,
      "naive",
      "seasonal_naive",
    ]);
    const expectRow = async (key: string, metrics: Metrics | undefined, intervals: boolean) => {
      const cells = await page.locator(`[data-forecaster="${key}"] td`).allTextContents();
      expectShown(cells[0], metrics?.mae, 2);
      expectShown(cells[1], metrics?.rmse, 2);
      expectShown(cells[3], metrics?.mase, 3);
      // then each level's coverage (in percent) and MSIS, for the forecasters that have intervals
      if (!intervals) return;
      expectShown(cells[4], 100 * (metrics?.intervals?.coverage_80 ?? Number.NaN), 1);
      expectShown(cells[5], metrics?.intervals?.msis_80, 3);
    };
    await expectRow("ensemble", production?.metrics.model, true);
    for (const name of ensemble.members) {
      await expectRow(name, members[name].cv, true);
      const smape = await page.locator(`[data-forecaster="${name}"] td`).nth(2).textContent();
      expectShown(smape, members[name].cv.smape, 1);
    }
    await expectRow("seasonal_naive", production?.metrics.seasonal_naive, false);
    expect(await page.getByTestId("serving-member").textContent()).toBe(window_member);
    expect(await page.locator(`[data-forecaster="${window_member}"] th`).textContent()).toContain(
      "serves the window routes",
    );
    expect(await page.locator(".badge").count(), "one member serves the window routes").toBe(1);

    // the page's mean absolute error over its last 28 points, against the same forecasts asked here
    const { values } = await api<{ values: number[] }>(`/api/series/${encodeURIComponent(seriesId)}`);
    const points = Array.from({ length: 28 }, (_, k) => values.length - 28 + k);
    const forecasts = await Promise.all(
      points.map((t) => predict(seriesId, values.slice(t - model.window_size, t))),
    );
    const mae =
      points.reduce((sum, t, k) => sum + Math.abs(values[t] - forecasts[k].predicted_sales), 0) / 28;
    const summary = page.getByTestId("holdout-mae");
    await summary.waitFor();
    expectShown(await summary.locator("strong").first().textContent(), mae, 2);
    await shoot("accuracy");
  });

  it("Models lists the registry, asks for the admin token, and follows a training run to its end", async () => {
    const before = (await api<{ models: ModelVersion[] }>("/api/models")).models;
    await open("models");
    const rows = page.getByTestId("model-row");
    await expect.poll(() => rows.count()).toBe(before.length);

    await page.getByRole("button", { name: "Start training" }).click();
    await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
    await page.getByRole("button", { name: "Send with token" }).click();
    const run = page.getByTestId("training-run");
    await run.waitFor();
    await expect
      .poll(() => run.getAttribute("data-status"), { timeout: 120_000, interval: 500 })
      .toMatch(/^(succeeded|failed)$/);
    expect(await run.textContent()).toContain("succeeded");

    const after = (await api<{ models: ModelVersion[] }>("/api/models")).models;
    expect(after.length).toBeGreaterThan(before.length);
    await expect.poll(() => rows.count()).toBe(after.length);
    await shoot("models");
  });

  it("Accuracy shows any other version of the serving model when it is picked", async () => {
    const seriesId = (await api<{ series: SeriesSummary[] }>("/api/series")).series[0].id;
    const model = await servingModel(seriesId);
    const { models } = await api<{ models: (ModelVersion & { version: number })[] }>("/api/models");
    const other = models.find((m) => m.name === model.name && m.stage !== "production");
    expect(other, "the training run above registered a second version").toBeDefined();
    const detail = await api<ModelDetail>(`/api/models/${other?.id}`);

    await open(`accuracy?series=${encodeURIComponent(seriesId)}`);
    await page.getByLabel("Version").selectOption(String(other?.id));
    await expect.poll(() => page.getByTestId("metrics-version").textContent()).toBe(`v${other?.version}`);
    const cells = await page.locator('[data-forecaster="ensemble"] td').allTextContents();
    expectShown(cells[0], detail.metrics.model.mae, 2);
    expect(await page.getByTestId("serving-member").textContent()).toBe(detail.artifact.window_member);
  });

  it("every page renders at a phone's width too", async () => {
    await page.setViewportSize({ width: WIDTHS.phone, height: 844 });
    for (const route of ["explore", "forecast", "accuracy", "models"]) {
      await open(route);
      await page.locator("main table").first().waitFor();
      // nothing may be wider than the screen: a wide table scrolls inside its own box
      const pageWidth = await page.evaluate("document.documentElement.scrollWidth");
      expect(pageWidth, `${route} at ${WIDTHS.phone}px`).toBeLessThanOrEqual(WIDTHS.phone);
      await shoot(`${route}-phone`);
    }
  });

  it("raised no error in the page while it was driven", () => {
    expect(pageErrors).toEqual([]);
  });
});
