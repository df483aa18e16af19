import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { type CsvReadOptions, readCsvRecords } from "../../src/data/csv.ts";
import { DataError } from "../../src/data/errors.ts";
import { writeTempCsv } from "./temp-csv.ts";

async function collect(file: string, options: CsvReadOptions = {}) {
  const records: { fields: string[]; line: number }[] = [];
  await readCsvRecords(file, (fields, line) => records.push({ fields: [...fields], line }), options);
  return records;
}

async function failure(text: string, name: string): Promise<Error> {
  const error = await collect(writeTempCsv(text, name)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DataError);
  return error as Error;
}

describe("readCsvRecords", () => {
  it("reads records with their line numbers, skipping a BOM and blank lines", async () => {
    const file = writeTempCsv('\ufeffa,b\n1, 2\n\n"x,y",3\n');
    expect(await collect(file)).toEqual([
      { fields: ["a", "b"], line: 1 },
      { fields: ["1", "2"], line: 2 },
      { fields: ["x,y", "3"], line: 4 },
    ]);
  });

  it("reads quoted quotes, line breaks inside quotes, CRLF and a last line without a break", async () => {
    const file = writeTempCsv('a,b\r\n"say ""hi""",1\r\n"two\nlines", 2\r\nlast,3');
    expect(await collect(file)).toEqual([
      { fields: ["a", "b"], line: 1 },
      { fields: ['say "hi"', "1"], line: 2 },
      { fields: ["two\nlines", "2"], line: 4 },
      { fields: ["last", "3"], line: 5 },
    ]);
  });

  it("gives the same records when the file is read a few bytes at a time, far smaller than the file", async () => {
    const rows = Array.from({ length: 200 }, (_, i) => `s${i % 7},"q,${i}",${i * 1.5}\r\n`).join("");
    const text = `\ufeffid,name,value\r\n${rows}"multi\nline ""x""",é€,9\n`;
    const file = writeTempCsv(text);
    const whole = await collect(file, { chunkBytes: 1 << 20 });
    expect(whole).toHaveLength(202);
    expect(whole[201]).toEqual({ fields: ['multi\nline "x"', "é€", "9"], line: 203 });
    for (const chunkBytes of [1, 2, 3, 7, 64]) expect(await collect(file, { chunkBytes })).toEqual(whole);
  });

  it("names the file and line when a record has the wrong number of fields", async () => {
    const error = await failure("a,b\n1,2\n1,2,3\n", "ragged.csv");
    expect(error.message).toMatch(/ragged\.csv: line 3: the record has 3 fields, the header has 2$/);
  });

  it("names an unclosed quote, a stray quote and text after a closing quote", async () => {
    expect((await failure('a,b\n1,"2\n3,4\n', "open.csv")).message).toMatch(
      /open\.csv: line 4: a quoted field is not closed/,
    );
    expect((await failure('a,b\n1,x"y\n', "stray.csv")).message).toMatch(
      /stray\.csv: line 2: a quote inside the unquoted field 2/,
    );
    expect((await failure('a,b\n"1"x,2\n', "after.csv")).message).toMatch(
      /after\.csv: line 2: a character after a closing quote/,
    );
  });

  it("reports progress with records and bytes", async () => {
    const file = writeTempCsv(`a\n${"1\n".repeat(1000)}`);
    const seen: number[] = [];
    await collect(file, {
      chunkBytes: 100,
      progressSeconds: 0,
      onProgress: ({ records }) => seen.push(records),
    });
    expect(seen.length).toBeGreaterThan(10);
    expect(seen[seen.length - 1]).toBeGreaterThan(900);
  });

  it("names a directory given as the file", async () => {
    await expect(collect(tmpdir())).rejects.toThrow(`${tmpdir()}: a directory, not a CSV file`);
  });

  it("names a missing file", async () => {
    await expect(collect("/nonexistent/sales.csv")).rejects.toThrow("/nonexistent/sales.csv: no such file");
  });
});
