import { describe, expect, it } from "vitest";
import { parseIsoDay } from "../../src/data/dates.ts";
import { dropPartialLastPeriods } from "../../src/data/partial.ts";
import { periodDates } from "../../src/data/series-dates.ts";
import type { Frequency, Series } from "../../src/data/types.ts";

const series = (id: string, frequency: Frequency, dates: string[]): Series => ({
  id,
  frequency,
  start: dates[0],
  values: Float64Array.from(dates, (_date, i) => i + 1),
});
const day = (iso: string) => parseIsoDay(iso) as number;

describe("dropPartialLastPeriods", () => {
  it("drops a last week whose data stop after 3 of its 7 days, from every series", () => {
    const weeks = ["2023-01-01", "2023-01-08", "2023-01-15"];
    const { series: kept, warnings } = dropPartialLastPeriods(
      [series("a", "W", weeks), series("b", "W", weeks)],
      () => day("2023-01-17"),
    );
    expect(kept.map((one) => periodDates(one))).toEqual([weeks.slice(0, 2), weeks.slice(0, 2)]);
    expect([...kept[0].values]).toEqual([1, 2]);
    expect(warnings).toEqual([
      "the last week, 2023-01-15 to 2023-01-21, has data only up to 2023-01-17 (3 of 7 days): " +
        "dropped from every series, since it would bias the last window low",
    ]);
  });

  it("keeps a last period that the data cover to its last day", () => {
    const weeks = series("a", "W", ["2023-01-01", "2023-01-08"]);
    const months = series("m", "M", ["2023-01-01", "2023-02-01"]);
    expect(dropPartialLastPeriods([weeks], () => day("2023-01-14"))).toEqual({
      series: [weeks],
      warnings: [],
    });
    expect(dropPartialLastPeriods([months], () => day("2023-02-28")).warnings).toEqual([]);
  });

  it("names the series whose own last month is partial", () => {
    const full = series("full", "M", ["2023-01-01", "2023-02-01"]);
    const cut = series("cut", "M", ["2023-01-01", "2023-02-01"]);
    const { series: kept, warnings } = dropPartialLastPeriods([full, cut], (one) =>
      one.id === "cut" ? day("2023-02-10") : day("2023-02-28"),
    );
    expect(kept.map((one) => one.values.length)).toEqual([2, 1]);
    expect(warnings).toEqual([
      "the last month, 2023-02-01 to 2023-02-28, has data only up to 2023-02-10 (10 of 28 days): " +
        'dropped from "cut", since it would bias the last window low',
    ]);
  });
});
