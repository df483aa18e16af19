import { type ColumnLayout, type ColumnNames, type CsvFormat, resolveColumns } from "./columns.ts";
import { type CsvRecord, readCsvRecords } from "./csv.ts";
import { formatIsoDay, parseIsoDay } from "./dates.ts";
import { DataError } from "./errors.ts";

/** The raw rows of one series, in file order: `values[i]` was recorded on day `days[i]` (days since 1970). */
export interface SeriesObservations {
  days: number[];
  values: number[];
}

export interface ObservationTable {
  file: string;
  format: CsvFormat;
  bySeries: Map<string, SeriesObservations>;
}

export interface IngestOptions {
  format: CsvFormat | "auto";
  columns: ColumnNames;
}

// A plain decimal number: rejects "", "1,234", "12abc", "NaN", "Infinity" and hex that Number() would accept
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Reads every row of a transactions or long CSV file into per-series observations, checking each field. */
export async function readObservations(file: string, options: IngestOptions): Promise<ObservationTable> {
  let layout: ColumnLayout | undefined;
  const bySeries = new Map<string, SeriesObservations>();
  // long format has one row per series and date: remember where each was seen to name both lines
  const seenAt = new Map<string, number>();
  for await (const record of readCsvRecords(file)) {
    if (!layout) {
      layout = resolveColumns(record.fields, options.format, options.columns, file);
      continue;
    }
    const seriesId = parseSeriesId(record, layout, file);
    const day = parseDay(record, layout, file);
    const value = parseValue(record, layout, file);
    if (layout.format === "long") {
      const key = `${seriesId}\u0000${day}`;
      const firstLine = seenAt.get(key);
      if (firstLine !== undefined) {
        throw new DataError(
          `${file}:${record.line}: duplicate row for series "${seriesId}" on ${formatIsoDay(day)} ` +
            `(first at line ${firstLine}); the long format has one row per series and date`,
        );
      }
      seenAt.set(key, record.line);
    }
    let observations = bySeries.get(seriesId);
    if (!observations) {
      observations = { days: [], values: [] };
      bySeries.set(seriesId, observations);
    }
    observations.days.push(day);
    observations.values.push(value);
  }
  if (!layout) throw new DataError(`${file}: the file is empty (no header, no rows)`);
  if (bySeries.size === 0) throw new DataError(`${file}: the file has a header but no data rows`);
  return { file, format: layout.format, bySeries };
}

function parseSeriesId(record: CsvRecord, layout: ColumnLayout, file: string): string {
  const text = record.fields[layout.seriesIndex];
  if (text === "")
    throw new DataError(`${file}:${record.line}: empty series id in column "${layout.names.series}"`);
  return text;
}

function parseDay(record: CsvRecord, layout: ColumnLayout, file: string): number {
  const text = record.fields[layout.dateIndex];
  const day = parseIsoDay(text);
  if (day === undefined) {
    throw new DataError(
      `${file}:${record.line}: cannot parse date "${text}" in column "${layout.names.date}" (expected YYYY-MM-DD)`,
    );
  }
  return day;
}

function parseValue(record: CsvRecord, layout: ColumnLayout, file: string): number {
  const text = record.fields[layout.valueIndex];
  const value = Number(text);
  if (!DECIMAL.test(text) || !Number.isFinite(value)) {
    throw new DataError(
      `${file}:${record.line}: cannot parse number "${text}" in column "${layout.names.value}"`,
    );
  }
  return value;
}
