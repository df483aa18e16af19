import { describe, expect, it } from "vitest";
import { type CsvSeries, forecastCsvChunks } from "../../src/forecast/index.ts";

const forecast = (seriesId: string, values: number[]): CsvSeries => ({
  seriesId,
  dates: values.map((_, k) => `2024-01-0${k + 1}`),
  values,
  steps: values.length,
  intervals: null,
});

describe("forecastCsvChunks", () => {
  it("writes a header, one row per period, quoted ids, and empty bounds where a series has no intervals", () => {
    const withBands: CsvSeries = {
      ...forecast('a,"b"', [1.5, 2]),
      intervals: { "80": { lower: [1, 1.25], upper: [2, 3] } },
    };
    const text = [...forecastCsvChunks([withBands, forecast("c", [7])], [80])].join("");
    expect(text).toBe(
      "series_id,date,forecast,lo_80,hi_80\n" +
        '"a,""b""",2024-01-01,1.5,1,2\n' +
        '"a,""b""",2024-01-02,2,1.25,3\n' +
        "c,2024-01-01,7,,\n",
    );
  });

  it("cuts a large export into chunks of whole rows, made only as they are read", () => {
    let made = 0;
    function* many(): Generator<CsvSeries> {
      for (let s = 0; s < 5000; s++) {
        made++;
        yield forecast(`s${s}`, [s, s + 0.5]);
      }
    }
    const chunks = forecastCsvChunks(many());
    const first = chunks.next().value as string;
    // one chunk is about 64 KiB: far fewer than the 5,000 series were read for it
    expect(first.length).toBeGreaterThanOrEqual(1 << 16);
    expect(made).toBeLessThan(5000);
    const rest = [...chunks];
    expect(rest.length).toBeGreaterThan(1);
    for (const chunk of [first, ...rest]) expect(chunk.endsWith("\n")).toBe(true);
    const lines = [first, ...rest].join("").trimEnd().split("\n");
    expect(lines).toHaveLength(1 + 2 * 5000);
    expect(lines[1]).toBe("s0,2024-01-01,0");
    expect(lines[10000]).toBe("s4999,2024-01-02,4999.5");
  });

  it("is the header alone for no series", () => {
    expect([...forecastCsvChunks([], [])]).toEqual(["series_id,date,forecast\n"]);
  });
});
