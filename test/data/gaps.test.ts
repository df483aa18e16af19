import { describe, expect, it } from "vitest";
import { parseIsoDay } from "../../src/data/dates.ts";
import { DataError } from "../../src/data/errors.ts";
import { fillGaps } from "../../src/data/gaps.ts";
import type { SeriesObservations } from "../../src/data/ingest.ts";

function observations(rows: Record<string, [string, number][]>): Map<string, SeriesObservations> {
  return new Map(
    Object.entries(rows).map(([id, pairs]) => [
      id,
      { days: pairs.map(([date]) => parseIsoDay(date) as number), values: pairs.map(([, value]) => value) },
    ]),
  );
}

/** The rows of one series as date -> value, in date order. */
function rowsOf(table: Map<string, SeriesObservations>, id: string): [number, number][] {
  const { days, values } = table.get(id) as SeriesObservations;
  return Array.from(days, (day, i) => [day, values[i]] as [number, number]).sort((a, b) => a[0] - b[0]);
}

const day = (iso: string) => parseIsoDay(iso) as number;

describe("fillGaps", () => {
  // a: 2023-01-02 and 2023-01-03 missing between 10 and 40; b complete
  const table = observations({
    a: [
      ["2023-01-01", 10],
      ["2023-01-04", 40],
      ["2023-01-05", 50],
    ],
    b: [
      ["2023-01-01", 1],
      ["2023-01-02", 2],
    ],
  });

  it("fills missing days with 0 and warns with the series, the count and the first missing date", () => {
    const { bySeries, warnings } = fillGaps(table, "D", "zero", "x.csv");
    expect(rowsOf(bySeries, "a")).toEqual([
      [day("2023-01-01"), 10],
      [day("2023-01-02"), 0],
      [day("2023-01-03"), 0],
      [day("2023-01-04"), 40],
      [day("2023-01-05"), 50],
    ]);
    expect(warnings).toEqual([
      'series "a" has 2 missing days (first 2023-01-02) in x.csv; filled with 0 (data.fill_missing: zero)',
    ]);
    expect(bySeries.get("b")).toBe(table.get("b"));
  });

  it("interpolates between the neighbours with linear", () => {
    const { bySeries, warnings } = fillGaps(table, "D", "linear", "x.csv");
    // 10 -> 40 over three steps: 20 and 30 in between
    expect(rowsOf(bySeries, "a").map(([, value]) => value)).toEqual([10, 20, 30, 40, 50]);
    expect(warnings).toEqual([
      'series "a" has 2 missing days (first 2023-01-02) in x.csv; filled by linear interpolation ' +
        "(data.fill_missing: linear)",
    ]);
  });

  it("refuses with error, naming the series, the count and the first missing date", () => {
    expect(() => fillGaps(table, "D", "error", "x.csv")).toThrow(DataError);
    expect(() => fillGaps(table, "D", "error", "x.csv")).toThrow(
      'x.csv: series "a" has 2 missing days (first 2023-01-02): the long format needs a row per series ' +
        "and period (data.fill_missing: error; zero or linear fill them)",
    );
  });

  it("counts missing weeks from the series' first date and interpolates each separately", () => {
    const weekly = observations({
      s: [
        ["2010-02-05", 100],
        ["2010-02-12", 110],
        ["2010-03-05", 200],
        ["2010-03-19", 100],
      ],
    });
    const { bySeries, warnings } = fillGaps(weekly, "W", "linear", "w.csv");
    // Feb 19 and 26 lie on 110 -> 200 (steps of 30), Mar 12 halfway between 200 and 100
    expect(rowsOf(bySeries, "s")).toEqual([
      [day("2010-02-05"), 100],
      [day("2010-02-12"), 110],
      [day("2010-02-19"), 140],
      [day("2010-02-26"), 170],
      [day("2010-03-05"), 200],
      [day("2010-03-12"), 150],
      [day("2010-03-19"), 100],
    ]);
    expect(warnings[0]).toMatch(/^series "s" has 3 missing weeks \(first 2010-02-19\) in w\.csv/);
  });

  it("says nothing and keeps every row when no period is missing", () => {
    const monthly = observations({
      m: [
        ["2023-01-31", 1],
        ["2023-02-28", 2],
        ["2023-03-31", 3],
      ],
    });
    const { bySeries, warnings } = fillGaps(monthly, "M", "error", "m.csv");
    expect(warnings).toEqual([]);
    expect(bySeries.get("m")).toBe(monthly.get("m"));
  });
});
