import { describe, expect, it } from "vitest";
import { parseIsoDay } from "../../src/data/dates.ts";
import { DataError } from "../../src/data/errors.ts";
import { type IngestOptions, readObservations } from "../../src/data/ingest.ts";
import { writeTempCsv } from "./temp-csv.ts";

const transactions: IngestOptions = {
  format: "transactions",
  columns: { date: "Date", series: "Category", value: "Amount" },
};
const long: IngestOptions = { ...transactions, format: "long" };

async function failure(text: string, options: IngestOptions, name = "bad.csv"): Promise<DataError> {
  const file = writeTempCsv(text, name);
  const error = await readObservations(file, options).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DataError);
  return error as DataError;
}

describe("readObservations", () => {
  it("keeps every transaction, repeated days and negative values (returns) included", async () => {
    const file = writeTempCsv("Date,Category,Amount\n2023-01-02,A,10\n2023-01-02,A,-4.5\n2023-01-01,B,1e2\n");
    const table = await readObservations(file, transactions);
    expect(table.format).toBe("transactions");
    expect(table.bySeries.get("A")).toEqual({
      days: Int32Array.from([parseIsoDay("2023-01-02") as number, parseIsoDay("2023-01-02") as number]),
      values: Float64Array.from([10, -4.5]),
    });
    expect(table.bySeries.get("B")?.values).toEqual(Float64Array.from([100]));
  });

  it("reports an unparseable date with file, line and text", async () => {
    const error = await failure("Date,Category,Amount\n2023-01-01,A,1\n2023-02-30,A,2\n", transactions);
    expect(error.message).toMatch(/bad\.csv:3: cannot parse date "2023-02-30" in column "Date"/);
  });

  it("reports an unparseable number with file, line and text, and never lets NaN in", async () => {
    const error = await failure("Date,Category,Amount\n2023-01-01,A,1\n2023-01-02,A,12abc\n", transactions);
    expect(error.message).toMatch(/bad\.csv:3: cannot parse number "12abc" in column "Amount"/);
    for (const text of ["NaN", "", "Infinity", "0x10", '"1,234"']) {
      const nan = await failure(`Date,Category,Amount\n2023-01-01,A,${text}\n`, transactions);
      expect(nan.message, text).toMatch(/bad\.csv:2: cannot parse number/);
    }
  });

  it("reports an empty series id", async () => {
    const error = await failure("Date,Category,Amount\n2023-01-01,,1\n", transactions);
    expect(error.message).toMatch(/bad\.csv:2: empty series id in column "Category"$/);
  });

  it("reports an empty file and a header-only file", async () => {
    expect((await failure("", transactions, "empty.csv")).message).toMatch(/empty\.csv: the file is empty/);
    expect((await failure("Date,Category,Amount\n\n", transactions, "header.csv")).message).toMatch(
      /header\.csv: the file has a header but no data rows/,
    );
  });

  it("reports a duplicate (series, date) row in long format, naming both", async () => {
    const text = "series_id,date,value\ns1,2023-01-01,1\ns2,2023-01-01,2\ns1,2023-01-01,3\n";
    const error = await failure(text, long, "dup.csv");
    expect(error.message).toMatch(
      /dup\.csv:4: duplicate row for series "s1" on 2023-01-01 \(first at line 2\)/,
    );
  });

  it("names the first duplicate in file order when a series' dates do not rise", async () => {
    // s1 goes back in time (line 3), then s2 repeats a date (line 5) before s1 does (line 6)
    const text =
      "series_id,date,value\ns1,2023-01-02,1\ns1,2023-01-01,2\ns2,2023-01-01,3\n" +
      "s2,2023-01-01,4\ns1,2023-01-02,5\n";
    const error = await failure(text, long, "order.csv");
    expect(error.message).toMatch(
      /order\.csv:5: duplicate row for series "s2" on 2023-01-01 \(first at line 4\)/,
    );
  });

  it("finds a duplicate that is not next to the row it repeats", async () => {
    const text = "series_id,date,value\ns1,2023-01-02,1\ns1,2023-01-01,2\ns1,2023-01-03,3\ns1,2023-01-02,4\n";
    const error = await failure(text, long, "far.csv");
    expect(error.message).toMatch(
      /far\.csv:5: duplicate row for series "s1" on 2023-01-02 \(first at line 2\)/,
    );
  });

  it("accepts a long file whose rows are in no order", async () => {
    const file = writeTempCsv("series_id,date,value\ns1,2023-01-03,3\ns2,2023-01-01,9\ns1,2023-01-01,1\n");
    const table = await readObservations(file, long);
    expect(Array.from(table.bySeries.get("s1")?.values ?? [])).toEqual([3, 1]);
  });

  it("names a missing column", async () => {
    const error = await failure("Date,Category,Total\n2023-01-01,A,1\n", transactions);
    expect(error.message).toMatch(/missing column "Amount".*columns found: Date, Category, Total/);
  });
});
