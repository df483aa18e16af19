import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { DataError } from "../../src/data/errors.ts";
import { addPeriods } from "../../src/data/frequency.ts";
import { keepLongSeries, type LoadConfig, loadSeries } from "../../src/data/load.ts";
import { lastPeriodDate, periodDate, periodDates } from "../../src/data/series-dates.ts";
import type { Series } from "../../src/data/types.ts";
import { SALES_DATA_CSV, sharedDataFile, writeTempCsv } from "./temp-csv.ts";

const transactionsConfig: LoadConfig = {
  csv_path: SALES_DATA_CSV,
  format: "transactions",
  date_column: "Date",
  series_column: "Product Category",
  value_column: "Total Amount",
  frequency: "D",
  window_size: 14,
  horizon: 1,
  short_series: "skip",
};
const longConfig: LoadConfig = { ...transactionsConfig, format: "auto", frequency: "auto" };

describe("loadSeries on the real files", () => {
  it("sums the original transactions into the daily category totals of seed_retail", async () => {
    const loaded = await loadSeries(transactionsConfig);
    const seed = await loadSeries({
      ...longConfig,
      csv_path: sharedDataFile("seed_retail/seed_daily_category.csv"),
    });
    expect(loaded.format).toBe("transactions");
    expect(seed.format).toBe("long");
    expect(loaded.series.map(({ id }) => id)).toEqual(["Beauty", "Clothing", "Electronics"]);
    loaded.series.forEach((series, s) => {
      expect(series.values).toHaveLength(366);
      expect(series.start).toBe("2023-01-01");
      expect(periodDates(series)).toEqual(periodDates(seed.series[s]));
      expect([...series.values]).toEqual([...seed.series[s].values]);
    });
    expect(loaded.warnings).toEqual([]);
  });

  it("reads the bundled transactions as daily under the bundled config's frequency: auto", async () => {
    const bundled = loadConfig("config/config.yaml");
    expect(bundled.data.frequency).toBe("auto");
    const loaded = await loadSeries({ ...bundled.data, csv_path: SALES_DATA_CSV });
    expect(loaded.frequency).toBe("D");
    expect(loaded.series.map(({ values }) => values.length)).toEqual([366, 366, 366]);
    expect(loaded.warnings).toEqual([]);
  });

  it("drops the bundled file's last week, 2 of 7 days, when summed weekly", async () => {
    const loaded = await loadSeries({ ...transactionsConfig, frequency: "W" });
    // 2023-01-01 to 2024-01-01 is 52 full weeks and two days
    expect(loaded.series.map(({ values }) => values.length)).toEqual([52, 52, 52]);
    expect(lastPeriodDate(loaded.series[0])).toBe("2023-12-24");
    expect(loaded.warnings).toEqual([
      "the last week, 2023-12-31 to 2024-01-06, has data only up to 2024-01-01 (2 of 7 days): " +
        "dropped from every series, since it would bias the last window low",
    ]);
  });

  it("refuses the Walmart weekly file read as daily", async () => {
    const loading = loadSeries({
      ...longConfig,
      csv_path: sharedDataFile("walmart_weekly/walmart_weekly_sales.csv"),
      frequency: "D",
    });
    await expect(loading).rejects.toThrow(DataError);
    await expect(loading).rejects.toThrow(
      /data\.frequency is D \(daily\), but the dates are weekly \(median gap of 7 days/,
    );
  });

  it("reads the Walmart long file: 45 weekly series of 143 Fridays, frequency inferred", async () => {
    const { series, frequency, format } = await loadSeries({
      ...longConfig,
      csv_path: sharedDataFile("walmart_weekly/walmart_weekly_sales.csv"),
    });
    expect(format).toBe("long");
    expect(frequency).toBe("W");
    expect(series).toHaveLength(45);
    expect(series.every(({ values }) => values.length === 143)).toBe(true);
    expect(series[0].id).toBe("store_01");
    expect(series[44].id).toBe("store_45");
    expect(series[0].start).toBe("2010-02-05");
    expect(periodDate(series[0], 142)).toBe("2012-10-26");
    expect(series[0].values[0]).toBeCloseTo(1643690.9, 6);
  });
});

describe("loadSeries on small files", () => {
  const csv = "series_id,date,value\n" + "a,2023-01-01,1\na,2023-01-09,2\na,2023-01-15,3\n";

  it("aggregates a long file to the configured weekly frequency", async () => {
    const { series, frequency } = await loadSeries({
      ...longConfig,
      csv_path: writeTempCsv(csv),
      frequency: "W",
      window_size: 2,
    });
    expect(frequency).toBe("W");
    expect(periodDates(series[0])).toEqual(["2023-01-01", "2023-01-08", "2023-01-15"]);
    expect([...series[0].values]).toEqual([1, 2, 3]);
  });

  it("reads the configured columns of a long file and infers monthly data", async () => {
    const rows = ["x,2023-01-31,1", "x,2023-02-28,2", "x,2023-04-30,4", "x,2023-05-31,5", "x,2023-06-30,6"];
    const file = writeTempCsv(`Store,Month,Sales\n${rows.join("\n")}\n`);
    const { series, frequency, warnings } = await loadSeries({
      ...longConfig,
      csv_path: file,
      format: "long",
      series_column: "Store",
      date_column: "Month",
      value_column: "Sales",
      window_size: 2,
      horizon: 2,
    });
    expect(frequency).toBe("M");
    expect(periodDates(series[0])).toEqual([
      "2023-01-01",
      "2023-02-01",
      "2023-03-01",
      "2023-04-01",
      "2023-05-01",
      "2023-06-01",
    ]);
    expect([...series[0].values]).toEqual([1, 2, 0, 4, 5, 6]);
    expect(warnings).toEqual([
      `series "x" has 1 missing month (first 2023-03-01) in ${file}; filled with 0 (data.fill_missing: zero)`,
    ]);
  });

  it("skips a series shorter than window_size + horizon with a warning naming it", async () => {
    const file = writeTempCsv(
      "series_id,date,value\nlong,2023-01-01,1\nlong,2023-01-02,1\nlong,2023-01-03,1\nshort,2023-01-01,1\n",
    );
    const { series, warnings } = await loadSeries({
      ...longConfig,
      csv_path: file,
      frequency: "D",
      window_size: 2,
    });
    expect(series.map(({ id }) => id)).toEqual(["long"]);
    expect(warnings).toEqual(['series "short" has 1 periods, fewer than window_size + horizon = 3; skipped']);
  });

  it("fails on a short series when short_series is error", async () => {
    const file = writeTempCsv(
      "series_id,date,value\nlong,2023-01-01,1\nlong,2023-01-02,1\nlong,2023-01-03,1\nshort,2023-01-01,1\n",
    );
    const loading = loadSeries({
      ...longConfig,
      csv_path: file,
      frequency: "D",
      window_size: 2,
      short_series: "error",
    });
    await expect(loading).rejects.toThrow(DataError);
    await expect(loading).rejects.toThrow(
      /series "short" has 1 periods, fewer than window_size \+ horizon = 3/,
    );
  });
});

describe("loadSeries: gaps, empty periods and partial last periods", () => {
  // a: 2023-01-03 and 2023-01-04 have no row
  const gappy =
    "series_id,date,value\n" +
    ["a,2023-01-01,2", "a,2023-01-02,4", "a,2023-01-05,10", "a,2023-01-06,12"].join("\n") +
    "\n" +
    ["b,2023-01-01,1", "b,2023-01-02,1", "b,2023-01-03,1", "b,2023-01-04,1"].join("\n") +
    "\n";
  const small = { ...longConfig, window_size: 2, horizon: 1 };

  it("fills a long file's gap with 0 by default and warns with the series and the count", async () => {
    const file = writeTempCsv(gappy);
    const { series, warnings } = await loadSeries({ ...small, csv_path: file });
    expect([...series[0].values]).toEqual([2, 4, 0, 0, 10, 12]);
    expect([...series[1].values]).toEqual([1, 1, 1, 1]);
    expect(warnings).toEqual([
      `series "a" has 2 missing days (first 2023-01-03) in ${file}; filled with 0 (data.fill_missing: zero)`,
    ]);
  });

  it("interpolates the gap with fill_missing: linear", async () => {
    const file = writeTempCsv(gappy);
    const { series, warnings } = await loadSeries({ ...small, csv_path: file, fill_missing: "linear" });
    expect([...series[0].values]).toEqual([2, 4, 6, 8, 10, 12]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/series "a" has 2 missing days .*filled by linear interpolation/);
  });

  it("refuses the gap with fill_missing: error, naming the series, the count and the first date", async () => {
    const file = writeTempCsv(gappy);
    const loading = loadSeries({ ...small, csv_path: file, fill_missing: "error" });
    await expect(loading).rejects.toThrow(DataError);
    await expect(loading).rejects.toThrow(
      `${file}: series "a" has 2 missing days (first 2023-01-03): the long format needs a row per series`,
    );
  });

  it("finds missing days of a daily long file summed weekly, before summing", async () => {
    const rows = Array.from({ length: 14 }, (_, i) => `s,${addPeriods("2023-01-01", "D", i)},7`);
    rows.splice(9, 1); // 2023-01-10
    const file = writeTempCsv(`series_id,date,value\n${rows.join("\n")}\n`);
    const { series, warnings } = await loadSeries({
      ...small,
      csv_path: file,
      frequency: "W",
      window_size: 1,
      fill_missing: "linear",
    });
    expect([...series[0].values]).toEqual([49, 49]);
    expect(warnings).toEqual([expect.stringMatching(/^series "s" has 1 missing day \(first 2023-01-10\)/)]);
  });

  it("keeps a transactions file's day without a sale as a real 0, with no warning", async () => {
    const file = writeTempCsv(
      "Date,Product Category,Total Amount\n" +
        "2023-01-01,A,5\n2023-01-01,A,5\n2023-01-02,B,3\n2023-01-04,A,1\n2023-01-04,B,2\n",
    );
    const { series, frequency, warnings } = await loadSeries({
      ...transactionsConfig,
      csv_path: file,
      frequency: "auto",
      window_size: 2,
    });
    expect(frequency).toBe("D");
    expect([...series[0].values]).toEqual([10, 0, 0, 1]);
    expect([...series[1].values]).toEqual([0, 3, 0, 2]);
    expect(warnings).toEqual([]);
  });

  it("drops a transactions file's last week that has only 3 days of data", async () => {
    // 2023-01-01 (a Sunday) to 2023-01-17: two full weeks and 3 days of the third
    const days = Array.from({ length: 17 }, (_, i) => addPeriods("2023-01-01", "D", i));
    const file = writeTempCsv(
      `Date,Product Category,Total Amount\n${days.map((date) => `${date},A,1`).join("\n")}\n`,
    );
    const { series, warnings } = await loadSeries({
      ...transactionsConfig,
      csv_path: file,
      frequency: "W",
      window_size: 1,
    });
    expect(periodDates(series[0])).toEqual(["2023-01-01", "2023-01-08"]);
    expect([...series[0].values]).toEqual([7, 7]);
    expect(warnings).toEqual([
      "the last week, 2023-01-15 to 2023-01-21, has data only up to 2023-01-17 (3 of 7 days): " +
        "dropped from every series, since it would bias the last window low",
    ]);
  });

  it("keeps a daily file's last day and a last month that the data cover", async () => {
    const days = Array.from({ length: 59 }, (_, i) => addPeriods("2023-01-01", "D", i)); // to 2023-02-28
    const file = writeTempCsv(
      `Date,Product Category,Total Amount\n${days.map((date) => `${date},A,1`).join("\n")}\n`,
    );
    const daily = await loadSeries({
      ...transactionsConfig,
      csv_path: file,
      frequency: "auto",
      window_size: 2,
    });
    expect(daily.series[0].values).toHaveLength(59);
    expect(daily.warnings).toEqual([]);
    const monthly = await loadSeries({
      ...transactionsConfig,
      csv_path: file,
      frequency: "M",
      window_size: 1,
    });
    expect([...monthly.series[0].values]).toEqual([31, 28]);
    expect(monthly.warnings).toEqual([]);
  });
});

describe("keepLongSeries", () => {
  const series = (id: string, length: number): Series => ({
    id,
    frequency: "D",
    start: "2023-01-01",
    values: new Float64Array(length),
  });
  const config = { window_size: 3, horizon: 2, short_series: "skip" as const };

  it("counts the holdout into the length a series needs", () => {
    expect(keepLongSeries([series("a", 5)], config).series).toHaveLength(1);
    const { series: kept, warnings } = keepLongSeries([series("a", 5), series("b", 9)], config, 4);
    expect(kept.map(({ id }) => id)).toEqual(["b"]);
    expect(warnings[0]).toMatch(/"a" has 5 periods, fewer than window_size \+ horizon \+ holdout = 9/);
  });

  it("fails when no series is long enough", () => {
    expect(() => keepLongSeries([series("a", 4)], config)).toThrow(
      "no series has at least window_size + horizon = 5 periods",
    );
  });
});
