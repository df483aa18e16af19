import { createReadStream } from "node:fs";
import { CsvError, parse } from "csv-parse";
import { DataError } from "./errors.ts";

export interface CsvRecord {
  fields: string[];
  /** 1-based line where the record ends in the file (the header is line 1). */
  line: number;
}

/** Streams the records of a CSV file, header first; a malformed file becomes a DataError naming it. */
export async function* readCsvRecords(file: string): AsyncGenerator<CsvRecord> {
  const source = createReadStream(file);
  const parser = parse({ bom: true, info: true, skip_empty_lines: true, trim: true });
  // pipe() does not forward a read error (e.g. a missing file): without this the parser would wait forever
  source.on("error", (error) => parser.destroy(error));
  source.pipe(parser);
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      yield { fields: record, line: info.lines };
    }
  } catch (error) {
    if (error instanceof CsvError) throw new DataError(`${file}: ${error.message}`);
    if (isMissingFile(error)) throw new DataError(`${file}: no such file`);
    throw error;
  } finally {
    // the reader may stop early (a bad row): release the file either way
    source.destroy();
  }
}

function isMissingFile(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === "ENOENT";
}
