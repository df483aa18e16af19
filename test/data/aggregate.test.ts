import { describe, expect, it } from "vitest";
import { toRegularSeries } from "../../src/data/aggregate.ts";
import { parseIsoDay } from "../../src/data/dates.ts";
import type { SeriesObservations } from "../../src/data/ingest.ts";
import { periodDates } from "../../src/data/series-dates.ts";

function observations(rows: Record<string, [string, number][]>): Map<string, SeriesObservations> {
  return new Map(
    Object.entries(rows).map(([id, pairs]) => [
      id,
      { days: pairs.map(([date]) => parseIsoDay(date) as number), values: pairs.map(([, value]) => value) },
    ]),
  );
}

describe("toRegularSeries", () => {
  it("sums per day and fills missing days with 0, sorted by id", () => {
    const bySeries = observations({
      b: [["2023-01-01", 5]],
      a: [
        ["2023-01-04", 2],
        ["2023-01-01", 1],
        ["2023-01-01", 3],
      ],
    });
    const [a, b] = toRegularSeries(bySeries, "D", "own");
    expect(a.id).toBe("a");
    expect(a.frequency).toBe("D");
    expect(periodDates(a)).toEqual(["2023-01-01", "2023-01-02", "2023-01-03", "2023-01-04"]);
    expect([...a.values]).toEqual([4, 0, 0, 2]);
    expect(periodDates(b)).toEqual(["2023-01-01"]);
  });

  it("sums 7-day periods anchored at the first date, keeping its weekday", () => {
    // 2023-01-06 is a Friday: periods run Friday to Thursday
    const bySeries = observations({
      s: [
        ["2023-01-06", 1],
        ["2023-01-12", 2],
        ["2023-01-13", 4],
        ["2023-01-30", 8],
      ],
    });
    const [s] = toRegularSeries(bySeries, "W", "own");
    expect(periodDates(s)).toEqual(["2023-01-06", "2023-01-13", "2023-01-20", "2023-01-27"]);
    expect([...s.values]).toEqual([3, 4, 0, 8]);
  });

  it("sums calendar months keyed by their first day, empty months 0", () => {
    const bySeries = observations({
      s: [
        ["2023-01-15", 1],
        ["2023-01-31", 2],
        ["2023-02-01", 4],
        ["2023-04-30", 8],
      ],
    });
    const [s] = toRegularSeries(bySeries, "M", "own");
    expect(periodDates(s)).toEqual(["2023-01-01", "2023-02-01", "2023-03-01", "2023-04-01"]);
    expect([...s.values]).toEqual([3, 4, 0, 8]);
  });

  it("gives every series the file's first to last period with a shared calendar", () => {
    const bySeries = observations({ late: [["2023-01-03", 1]], early: [["2023-01-01", 2]] });
    const [early, late] = toRegularSeries(bySeries, "D", "shared");
    expect(periodDates(early)).toEqual(["2023-01-01", "2023-01-02", "2023-01-03"]);
    expect([...early.values]).toEqual([2, 0, 0]);
    expect([...late.values]).toEqual([0, 0, 1]);
    const [, lateOwn] = toRegularSeries(bySeries, "D", "own");
    expect(periodDates(lateOwn)).toEqual(["2023-01-03"]);
  });
});
