import { describe, expect, it } from "vitest";
import { parseIsoDay } from "../../src/data/dates.ts";
import { DataError } from "../../src/data/errors.ts";
import type { Series } from "../../src/data/types.ts";
import {
  buildSeriesFeatures,
  calendarNames,
  HOLIDAY_REACH_DAYS,
  holidayDays,
  loadFeatureSources,
  readCovariates,
  writeFeatureWindow,
} from "../../src/features/index.ts";
import { writeTempCsv } from "../data/temp-csv.ts";

const day = (iso: string) => parseIsoDay(iso) as number;

function weekly(id: string, dates: string[]): Series {
  return { id, frequency: "W", start: dates[0], values: Float64Array.from(dates, (_, i) => 100 + i) };
}

function need<T>(value: T | null): T {
  if (value === null) throw new Error("the config asks for features: sources must not be null");
  return value;
}

const noFeatures = { calendar: false, holidays: null, covariates_path: "", known_future: [] };

describe("covariate alignment", () => {
  // price_t = 10 + t on the t-th week: a shift by one would show as an off-by-one value
  const dates = Array.from({ length: 8 }, (_, t) =>
    new Date(Date.UTC(2024, 0, 5 + 7 * t)).toISOString().slice(0, 10),
  );
  const rows = Array.from({ length: 11 }, (_, t) => {
    const date = new Date(Date.UTC(2024, 0, 5 + 7 * t)).toISOString().slice(0, 10);
    return `a,${date},${10 + t},${50 + t}`;
  });
  const file = writeTempCsv(`series_id,date,price,temperature\n${rows.join("\n")}\n`, "covariates.csv");

  it("puts the value for date d at d's position in the window and in the horizon", async () => {
    const series = [weekly("a", dates)];
    const sources = await loadFeatureSources(
      { ...noFeatures, covariates_path: file, known_future: ["price"] },
      "W",
      series,
    );
    const features = buildSeriesFeatures(need(sources), series, 3);
    expect(features.layout.names).toEqual(["price", "temperature"]);
    expect(features.layout.knownFuture).toEqual([true, false]);
    const { mean, std } = features.scaling;
    // window of 4 ending at origin 6 (dates[2..5]) and a horizon of 3 (weeks 6, 7, 8; week 8 is past the end)
    const out = new Float32Array(7 * 2);
    writeFeatureWindow(features, 0, 6, 4, 3, out, 0);
    const price = Array.from({ length: 7 }, (_, t) => out[t * 2] * std[0] + mean[0]);
    const temperature = Array.from({ length: 7 }, (_, t) => out[t * 2 + 1] * std[1] + mean[1]);
    expect(price.map((v) => Math.round(v * 1e4) / 1e4)).toEqual([12, 13, 14, 15, 16, 17, 18]);
    // past-only: read in the window, never for the horizon (0 standardized there, whatever the file says)
    expect(temperature.slice(0, 4).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([52, 53, 54, 55]);
    expect(Array.from(out.filter((_, i) => i % 2 === 1).slice(4))).toEqual([0, 0, 0]);
  });

  it("scales by the training rows only", async () => {
    const series = [weekly("a", dates)];
    const sources = await loadFeatureSources({ ...noFeatures, covariates_path: file }, "W", series);
    const features = buildSeriesFeatures(need(sources), series, 0, [4]);
    // price over weeks 0..3 is 10..13: mean 11.5, population std sqrt(1.25)
    expect(features.scaling.mean[0]).toBeCloseTo(11.5, 6);
    expect(features.scaling.std[0]).toBeCloseTo(Math.sqrt(1.25), 6);
  });

  it("is a training error naming the series and the dates when known-future rows stop before the horizon", async () => {
    const series = [weekly("a", dates)];
    const sources = await loadFeatureSources(
      { ...noFeatures, covariates_path: file, known_future: ["price"] },
      "W",
      series,
    );
    expect(() => buildSeriesFeatures(need(sources), series, 5)).toThrow(
      /series "a" has no row for 2024-03-22, 2024-03-29, past its last sales date.*\(price\).*horizon of 5/,
    );
  });

  it("names a sales date without a covariate row", async () => {
    const gap = writeTempCsv(`date,price\n2024-01-05,1\n2024-01-19,3\n`, "gap.csv");
    const series = [weekly("a", dates.slice(0, 3))];
    const sources = await loadFeatureSources({ ...noFeatures, covariates_path: gap }, "W", series);
    expect(() => buildSeriesFeatures(need(sources), series, 0)).toThrow(
      /series "a" has no covariate row for 2024-01-12 \(every sales date needs one\)/,
    );
  });

  it("gives every series the shared rows of a file without series_id", async () => {
    const shared = writeTempCsv(`date,price\n2024-01-05,1\n2024-01-12,2\n`, "shared.csv");
    const series = [weekly("a", dates.slice(0, 2)), weekly("b", dates.slice(0, 2))];
    const sources = await loadFeatureSources({ ...noFeatures, covariates_path: shared }, "W", series);
    const features = buildSeriesFeatures(need(sources), series, 0);
    expect(Array.from(features.rows[0])).toEqual(Array.from(features.rows[1]));
    expect(features.rows[0][0]).toBeLessThan(features.rows[0][1]);
  });
});

describe("calendar features", () => {
  it("flags the weekday of each daily period at its own position", async () => {
    // 2024-01-01 is a Monday
    const dates = Array.from({ length: 7 }, (_, t) => `2024-01-0${t + 1}`);
    const series: Series[] = [
      { id: "d", frequency: "D", start: dates[0], values: new Float64Array(dates.length) },
    ];
    const sources = await loadFeatureSources({ ...noFeatures, calendar: true }, "D", series);
    const features = buildSeriesFeatures(need(sources), series, 0);
    const names = calendarNames("D");
    const width = names.length;
    const raw = (t: number, name: string) => {
      const f = names.indexOf(name);
      return features.rows[0][t * width + f] * features.scaling.std[f] + features.scaling.mean[f];
    };
    expect(raw(0, "dow_mon")).toBeCloseTo(1, 6);
    expect(raw(1, "dow_mon")).toBeCloseTo(0, 6);
    expect(raw(1, "dow_tue")).toBeCloseTo(1, 6);
    // Sunday is the base: no flag set
    for (const name of names.filter((n) => n.startsWith("dow_"))) expect(raw(6, name)).toBeCloseTo(0, 6);
    // 1 January: the year's phase is 0
    expect(raw(0, "year_sin1")).toBeCloseTo(0, 6);
    expect(raw(0, "year_cos1")).toBeCloseTo(1, 6);
  });
});

describe("holidays", () => {
  it("knows US Thanksgiving 2011 (24 November) and Independence Day", () => {
    const days = holidayDays({ country: "US", types: ["public"] }, 2011, 2011);
    expect(days).toContain(day("2011-11-24"));
    expect(days).toContain(day("2011-07-04"));
    expect(days).not.toContain(day("2011-11-25"));
  });

  it("flags the week holding the holiday and counts the days to it and after it", async () => {
    const dates = ["2011-11-18", "2011-11-25", "2011-12-02"]; // Fridays: Thanksgiving falls in the first week
    const series = [weekly("w", dates)];
    const sources = await loadFeatureSources(
      { ...noFeatures, holidays: { country: "US", types: ["public"] } },
      "W",
      series,
    );
    const features = buildSeriesFeatures(need(sources), series, 0);
    const { mean, std } = features.scaling;
    const raw = (t: number, f: number) => features.rows[0][t * 3 + f] * std[f] + mean[f];
    expect([0, 1, 2].map((t) => Math.round(raw(t, 0)))).toEqual([1, 0, 0]);
    expect(raw(0, 1) * HOLIDAY_REACH_DAYS).toBeCloseTo(6, 4); // 18 -> 24 November
    expect(raw(1, 2) * HOLIDAY_REACH_DAYS).toBeCloseTo(1, 4); // 24 -> 25 November
  });

  it("refuses an unknown country and region by name", async () => {
    const series = [weekly("w", ["2011-11-18", "2011-11-25"])];
    await expect(
      loadFeatureSources({ ...noFeatures, holidays: { country: "XX", types: ["public"] } }, "W", series),
    ).rejects.toThrow(/data.holidays.country .* got 'XX'/);
    await expect(
      loadFeatureSources(
        { ...noFeatures, holidays: { country: "US", region: "ZZ", types: ["public"] } },
        "W",
        series,
      ),
    ).rejects.toThrow(/data.holidays.region .* got 'ZZ'/);
  });
});

describe("bad covariate files", () => {
  const cases: [string, string, string[], RegExp][] = [
    ["no date column", "day,price\n2024-01-05,1\n", [], /needs a "date" column \(header: day, price\)/],
    ["a bad date", "date,price\n2024-13-05,1\n", [], /:2: cannot parse date "2024-13-05" in column "date"/],
    [
      "a non-number",
      "date,price\n2024-01-05,cheap\n",
      [],
      /:2: column "price" must be a finite number, got "cheap"/,
    ],
    ["an empty value", "date,price\n2024-01-05,\n", [], /:2: column "price" must be a finite number, got ""/],
    [
      "a duplicate row",
      "date,price\n2024-01-05,1\n2024-01-05,2\n",
      [],
      /:3: duplicate row on 2024-01-05 \(first at line 2\)/,
    ],
    ["a duplicate column", "date,price,price\n2024-01-05,1,2\n", [], /names column "price" twice/],
    [
      "no covariate column",
      "series_id,date\na,2024-01-05\n",
      [],
      /no covariate column besides date and series_id/,
    ],
    [
      "an unknown known-future name",
      "date,price\n2024-01-05,1\n",
      ["promo"],
      /data.known_future names 'promo', not a covariate column .*\(columns: price\)/,
    ],
    ["an empty file", "", [], /the covariates file is empty/],
  ];
  for (const [what, text, knownFuture, message] of cases) {
    it(`names the field and the rule for ${what}`, async () => {
      const file = writeTempCsv(text, "covariates.csv");
      const read = readCovariates(file, knownFuture);
      await expect(read).rejects.toBeInstanceOf(DataError);
      await expect(readCovariates(file, knownFuture)).rejects.toThrow(message);
    });
  }

  it("names a series the file has no rows for", async () => {
    const file = writeTempCsv("series_id,date,price\na,2024-01-05,1\n", "covariates.csv");
    const series = [weekly("b", ["2024-01-05"])];
    const sources = await loadFeatureSources({ ...noFeatures, covariates_path: file }, "W", series);
    expect(() => buildSeriesFeatures(need(sources), series, 0)).toThrow(/no covariate rows for series "b"/);
  });
});
