import { describe, expect, it } from "vitest";
import { DataError } from "../../src/data/errors.ts";
import { keepLongSeries, type LoadConfig, loadSeries } from "../../src/data/load.ts";
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
      expect(series.dates).toHaveLength(366);
      expect(series.dates[0]).toBe("2023-01-01");
      expect(series.dates).toEqual(seed.series[s].dates);
      expect([...series.values]).toEqual([...seed.series[s].values]);
    });
    expect(loaded.warnings).toEqual([]);
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
    expect(series[0].dates[0]).toBe("2010-02-05");
    expect(series[0].dates[142]).toBe("2012-10-26");
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
    expect(series[0].dates).toEqual(["2023-01-01", "2023-01-08", "2023-01-15"]);
    expect([...series[0].values]).toEqual([1, 2, 3]);
  });

  it("reads the configured columns of a long file and infers monthly data", async () => {
    const rows = ["x,2023-01-31,1", "x,2023-02-28,2", "x,2023-04-30,4", "x,2023-05-31,5", "x,2023-06-30,6"];
    const file = writeTempCsv(`Store,Month,Sales\n${rows.join("\n")}\n`);
    const { series, frequency } = await loadSeries({
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
    expect(series[0].dates).toEqual([
      "2023-01-01",
      "2023-02-01",
      "2023-03-01",
      "2023-04-01",
      "2023-05-01",
      "2023-06-01",
    ]);
    expect([...series[0].values]).toEqual([1, 2, 0, 4, 5, 6]);
  });

  it("skips a series shorter than window_size + horizon with a warning naming it", async () => {
    const file = writeTempCsv(
      "series_id,date,value\nlong,2023-01-01,1\nlong,2023-01-03,1\nshort,2023-01-01,1\n",
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
      "series_id,date,value\nlong,2023-01-01,1\nlong,2023-01-03,1\nshort,2023-01-01,1\n",
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

describe("keepLongSeries", () => {
  const series = (id: string, length: number): Series => ({
    id,
    frequency: "D",
    dates: Array.from({ length }, () => "2023-01-01"),
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
