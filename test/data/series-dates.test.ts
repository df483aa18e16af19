import { describe, expect, it } from "vitest";
import { DataError } from "../../src/data/errors.ts";
import { lastPeriodDate, periodDate, periodDates } from "../../src/data/series-dates.ts";
import type { Series } from "../../src/data/types.ts";

const series = (frequency: Series["frequency"], start: string, length: number): Series => ({
  id: "s",
  frequency,
  start,
  values: new Float64Array(length),
});

describe("series dates from one start", () => {
  it("counts days, weeks from the start's weekday, and first days of months across a year's end", () => {
    expect(periodDate(series("D", "2024-02-27", 5), 3)).toBe("2024-03-01");
    expect(periodDate(series("W", "2023-01-06", 5), 3)).toBe("2023-01-27");
    expect(periodDates(series("M", "2023-11-01", 4))).toEqual([
      "2023-11-01",
      "2023-12-01",
      "2024-01-01",
      "2024-02-01",
    ]);
  });

  it("gives a stretch [from, to) and the last period's date", () => {
    const weekly = series("W", "2023-01-01", 10);
    expect(periodDates(weekly, 2, 4)).toEqual(["2023-01-15", "2023-01-22"]);
    expect(periodDates(weekly, 4, 4)).toEqual([]);
    expect(lastPeriodDate(weekly)).toBe("2023-03-05");
  });

  it("is a DataError naming a start that is no calendar date", () => {
    expect(() => periodDate(series("D", "2023-02-30", 3), 0)).toThrow(DataError);
    expect(() => periodDate(series("D", "2023-02-30", 3), 0)).toThrow(/"2023-02-30" is not an ISO date/);
  });
});
