import { describe, expect, it } from "vitest";
import { firstDayOfMonth, formatIsoDay, monthOfDay, parseIsoDay } from "../../src/data/dates.ts";

describe("ISO dates as day numbers", () => {
  it("counts days since 1970-01-01 and formats them back", () => {
    expect(parseIsoDay("1970-01-01")).toBe(0);
    expect(parseIsoDay("1970-02-01")).toBe(31);
    expect(formatIsoDay(parseIsoDay("2024-02-29") as number)).toBe("2024-02-29");
  });

  it("rejects dates that are not strict calendar YYYY-MM-DD", () => {
    for (const text of ["2023-02-30", "2023-13-01", "2023-1-05", "05/01/2023", "2023-01-05T00:00", ""]) {
      expect(parseIsoDay(text), text).toBeUndefined();
    }
  });

  it("maps a day to its month and a month to its first day", () => {
    const day = parseIsoDay("2023-03-17") as number;
    expect(formatIsoDay(firstDayOfMonth(monthOfDay(day)))).toBe("2023-03-01");
    expect(formatIsoDay(firstDayOfMonth(monthOfDay(day) + 10))).toBe("2024-01-01");
  });
});
