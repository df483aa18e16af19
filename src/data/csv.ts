import { open } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import { DataError } from "./errors.ts";

/** Receives each record, header first; `fields` is reused between calls (copy it to keep it). */
export type RecordHandler = (fields: string[], line: number) => void;

export interface CsvReadOptions {
  /** Bytes read at a time: the reader's memory is this plus one record, whatever the file's size. */
  chunkBytes?: number;
  /** Called about once per `progressSeconds` with the records and bytes read so far. */
  onProgress?: (progress: CsvProgress) => void;
  progressSeconds?: number;
}

export interface CsvProgress {
  records: number;
  bytes: number;
  totalBytes: number;
  seconds: number;
}

const DEFAULT_CHUNK_BYTES = 1 << 20;
const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

/**
 * Streams the records of a CSV file (RFC 4180: quoted fields may hold commas, quotes as "" and line breaks),
 * header first, with fields trimmed, a BOM and blank lines skipped, and every record as wide as the header.
 * `line` is the 1-based line where the record ends. A malformed file becomes a DataError naming it and the line.
 * Written by hand instead of csv-parse: bench/ingest.ts measured csv-parse's per-record objects as the limit.
 */
export async function readCsvRecords(
  file: string,
  onRecord: RecordHandler,
  options: CsvReadOptions = {},
): Promise<void> {
  const handle = await open(file, "r").catch((error: unknown) => {
    if (isMissingFile(error)) throw new DataError(`${file}: no such file`);
    throw error;
  });
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new DataError(`${file}: a directory, not a CSV file`);
    const totalBytes = stat.size;
    const parser = new CsvParser(file, onRecord);
    const decoder = new StringDecoder("utf8");
    const buffer = Buffer.allocUnsafe(options.chunkBytes ?? DEFAULT_CHUNK_BYTES);
    const began = performance.now();
    const every = (options.progressSeconds ?? 1) * 1000;
    let lastReport = began;
    let bytes = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      bytes += bytesRead;
      parser.push(decoder.write(buffer.subarray(0, bytesRead)));
      const now = performance.now();
      if (options.onProgress && now - lastReport >= every) {
        lastReport = now;
        options.onProgress({ records: parser.records, bytes, totalBytes, seconds: (now - began) / 1000 });
      }
    }
    parser.end(decoder.end());
  } finally {
    // the handler may stop early (a bad row): release the file either way
    await handle.close();
  }
}

/** Parses text pushed in pieces; a record cut by a piece's end waits for the next piece. */
class CsvParser {
  records = 0;
  private carry = "";
  private line = 1;
  private width = -1;
  private readonly fields: string[] = [];

  constructor(
    private readonly file: string,
    private readonly onRecord: RecordHandler,
  ) {}

  push(piece: string): void {
    let text = this.carry + piece;
    if (this.records === 0 && this.line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    this.carry = text.slice(this.parse(text, false));
  }

  end(piece: string): void {
    const text = this.carry + piece;
    this.carry = "";
    this.parse(text, true);
  }

  /** Parses whole records of `text` and returns where the unfinished rest starts. */
  private parse(text: string, final: boolean): number {
    const length = text.length;
    let position = 0;
    while (position < length) {
      const end = this.parseRecord(text, position, final);
      if (end < 0) return position;
      position = end;
    }
    return position;
  }

  /** One record from `start`: the index after its line break, or -1 when the text ends before it does. */
  private parseRecord(text: string, start: number, final: boolean): number {
    const fields = this.fields;
    fields.length = 0;
    const length = text.length;
    let position = start;
    let breaks = 0;
    for (;;) {
      if (text.charCodeAt(skipBlanks(text, position, length)) === QUOTE) {
        const quoted = this.parseQuoted(text, skipBlanks(text, position, length), final, breaks);
        if (quoted === undefined) return -1;
        fields.push(quoted.value);
        breaks += quoted.breaks;
        position = quoted.end;
      } else {
        let end = position;
        while (end < length) {
          const code = text.charCodeAt(end);
          if (code === COMMA || code === LF || code === CR) break;
          if (code === QUOTE) this.fail(breaks, `a quote inside the unquoted field ${fields.length + 1}`);
          end++;
        }
        if (end === length && !final) return -1;
        fields.push(text.slice(position, end).trim());
        position = end;
      }
      if (position === length) {
        this.finish(breaks);
        return position;
      }
      const code = text.charCodeAt(position);
      if (code === COMMA) {
        position++;
        continue;
      }
      // a line break: \n, \r\n or a lone \r
      if (code === CR && position + 1 === length && !final) return -1;
      position += code === CR && text.charCodeAt(position + 1) === LF ? 2 : 1;
      this.finish(breaks);
      this.line++;
      return position;
    }
  }

  /** A quoted field at `start`: its value, the index after it (and any blanks), the breaks it holds. */
  private parseQuoted(
    text: string,
    start: number,
    final: boolean,
    breaksBefore: number,
  ): { value: string; end: number; breaks: number } | undefined {
    const length = text.length;
    let value = "";
    let from = start + 1;
    let breaks = 0;
    for (;;) {
      const quote = text.indexOf('"', from);
      if (quote < 0 || quote + 1 === length) {
        if (!final) return undefined;
        if (quote < 0)
          this.fail(breaksBefore + countBreaks(text, from, length), "a quoted field is not closed");
      }
      breaks += countBreaks(text, from, quote);
      value += text.slice(from, quote);
      if (text.charCodeAt(quote + 1) === QUOTE) {
        value += '"';
        from = quote + 2;
        continue;
      }
      const end = skipBlanks(text, quote + 1, length);
      const next = text.charCodeAt(end);
      if (end < length && next !== COMMA && next !== LF && next !== CR) {
        this.fail(breaksBefore + breaks, "a character after a closing quote (expected a comma or line end)");
      }
      if (end === length && !final) return undefined;
      return { value, end, breaks };
    }
  }

  private finish(breaks: number): void {
    this.line += breaks;
    const fields = this.fields;
    // a blank line is one empty field: skipped, like a line of blanks
    if (fields.length === 1 && fields[0] === "") return;
    if (this.width < 0) this.width = fields.length;
    else if (fields.length !== this.width) {
      this.fail(0, `the record has ${fields.length} fields, the header has ${this.width}`);
    }
    this.records++;
    this.onRecord(fields, this.line);
  }

  private fail(breaks: number, problem: string): never {
    throw new DataError(`${this.file}: line ${this.line + breaks}: ${problem}`);
  }
}

function skipBlanks(text: string, position: number, length: number): number {
  while (position < length) {
    const code = text.charCodeAt(position);
    if (code !== 32 && code !== 9) break;
    position++;
  }
  return position;
}

function countBreaks(text: string, from: number, to: number): number {
  let breaks = 0;
  for (let i = text.indexOf("\n", from); i >= 0 && i < to; i = text.indexOf("\n", i + 1)) breaks++;
  return breaks;
}

function isMissingFile(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === "ENOENT";
}
