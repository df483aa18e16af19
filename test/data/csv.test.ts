import { describe, expect, it } from "vitest";
import { readCsvRecords } from "../../src/data/csv.ts";
import { DataError } from "../../src/data/errors.ts";
import { writeTempCsv } from "./temp-csv.ts";

async function collect(file: string) {
  const records = [];
  for await (const record of readCsvRecords(file)) records.push(record);
  return records;
}

describe("readCsvRecords", () => {
  it("streams records with their line numbers, skipping a BOM and blank lines", async () => {
    const file = writeTempCsv('\ufeffa,b\n1, 2\n\n"x,y",3\n');
    expect(await collect(file)).toEqual([
      { fields: ["a", "b"], line: 1 },
      { fields: ["1", "2"], line: 2 },
      { fields: ["x,y", "3"], line: 4 },
    ]);
  });

  it("names the file when a record has the wrong number of fields", async () => {
    const file = writeTempCsv("a,b\n1,2,3\n", "ragged.csv");
    const error = await collect(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(/ragged\.csv: .*line 2/);
  });

  it("names a missing file", async () => {
    await expect(collect("/nonexistent/sales.csv")).rejects.toThrow("/nonexistent/sales.csv: no such file");
  });
});
