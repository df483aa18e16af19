import { describe, expect, it } from "vitest";
import { formatIsoDay, parseIsoDay } from "../../src/data/dates.ts";
import { DataError } from "../../src/data/errors.ts";
import {
  addPeriods,
  inferFrequency,
  periodIndex,
  periodStartDay,
  resolveFrequency,
} from "../../src/data/frequency.ts";

const day = (iso: string) => parseIsoDay(iso) as number;

describe("period arithmetic", () => {
  it("counts weeks from the anchor's weekday", () => {
    const friday = day("2010-02-05");
    expect(periodIndex(day("2010-02-11"), "W", friday)).toBe(0);
    expect(periodIndex(day("2010-02-12"), "W", friday)).toBe(1);
    expect(formatIsoDay(periodStartDay(2, "W", friday))).toBe("2010-02-19");
  });

  it("counts calendar months keyed by their first day", () => {
    const anchor = day("2023-01-31");
    expect(periodIndex(day("2023-02-01"), "M", anchor)).toBe(1);
    expect(periodIndex(day("2024-01-15"), "M", anchor)).toBe(12);
    expect(formatIsoDay(periodStartDay(1, "M", anchor))).toBe("2023-02-01");
  });

  it("dates the periods after a series' end", () => {
    expect(addPeriods("2023-12-31", "D", 1)).toBe("2024-01-01");
    expect(addPeriods("2012-10-26", "W", 2)).toBe("2012-11-09");
    expect(addPeriods("2023-11-01", "M", 3)).toBe("2024-02-01");
  });
});

describe("inferFrequency", () => {
  const everyNDays = (start: string, step: number, count: number) =>
    Array.from({ length: count }, (_, i) => day(start) + i * step);

  it("reads D, W and M from the median gap, despite a few missing periods", () => {
    const dailyWithHoles = everyNDays("2023-01-01", 1, 30).filter((_day, i) => i % 5 !== 3);
    expect(inferFrequency([dailyWithHoles], "daily.csv")).toBe("D");
    expect(inferFrequency([everyNDays("2010-02-05", 7, 10), everyNDays("2010-02-12", 7, 5)], "w.csv")).toBe(
      "W",
    );
    const monthStarts = Array.from({ length: 14 }, (_, i) => day(addPeriods("2022-01-01", "M", i)));
    expect(inferFrequency([monthStarts], "m.csv")).toBe("M");
  });

  it("ignores repeated dates (several transactions on one day)", () => {
    expect(inferFrequency([[0, 0, 0, 1, 1, 2, 3, 3]], "t.csv")).toBe("D");
  });

  it("fails with the gap when it cannot tell", () => {
    expect(() => inferFrequency([everyNDays("2023-01-01", 3, 10)], "odd.csv")).toThrow(
      /odd\.csv: cannot infer the frequency: the median gap between consecutive dates is 3 days/,
    );
    expect(() => inferFrequency([[5], [9]], "single.csv")).toThrow(DataError);
  });
});

describe("resolveFrequency", () => {
  const weekly = Array.from({ length: 10 }, (_, i) => day("2010-02-05") + 7 * i);
  const daily = Array.from({ length: 30 }, (_, i) => day("2023-01-01") + i);

  it("infers under auto and accepts a declared frequency as coarse as the dates or coarser", () => {
    expect(resolveFrequency("auto", [weekly], "w.csv")).toEqual({ frequency: "W", dates: "W" });
    expect(resolveFrequency("W", [weekly], "w.csv")).toEqual({ frequency: "W", dates: "W" });
    expect(resolveFrequency("M", [weekly], "w.csv")).toEqual({ frequency: "M", dates: "W" });
    expect(resolveFrequency("W", [daily], "d.csv")).toEqual({ frequency: "W", dates: "D" });
  });

  it("refuses weekly dates read as daily, naming data.frequency and both frequencies", () => {
    expect(() => resolveFrequency("D", [weekly], "w.csv")).toThrow(DataError);
    expect(() => resolveFrequency("D", [weekly], "w.csv")).toThrow(
      "w.csv: data.frequency is D (daily), but the dates are weekly (median gap of 7 days between " +
        "consecutive dates); set data.frequency to W, M or auto",
    );
    const months = Array.from({ length: 6 }, (_, i) => day(addPeriods("2022-01-01", "M", i)));
    expect(() => resolveFrequency("W", [months], "m.csv")).toThrow(
      /data\.frequency is W \(weekly\), but the dates are monthly .*set data\.frequency to M or auto/,
    );
  });

  it("leaves a declared frequency alone when the dates read as none (sparse sales)", () => {
    const everyThirdDay = Array.from({ length: 10 }, (_, i) => day("2023-01-01") + 3 * i);
    expect(resolveFrequency("D", [everyThirdDay], "sparse.csv")).toEqual({
      frequency: "D",
      dates: undefined,
    });
    expect(resolveFrequency("D", [[5]], "one.csv")).toEqual({ frequency: "D", dates: undefined });
  });
});
