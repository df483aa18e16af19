import { type ColumnLayout, type ColumnNames, type CsvFormat, resolveColumns } from "./columns.ts";
import { type CsvProgress, readCsvRecords } from "./csv.ts";
import { formatIsoDay, parseIsoDay } from "./dates.ts";
import { findDuplicateDays } from "./duplicates.ts";
import { DataError } from "./errors.ts";
import { SeriesColumns } from "./series-columns.ts";

/** The raw rows of one series, in file order: `values[i]` was recorded on day `days[i]` (days since 1970). */
export interface SeriesObservations {
  days: ArrayLike<number> & Iterable<number>;
  values: ArrayLike<number> & Iterable<number>;
}

export interface ObservationTable {
  file: string;
  format: CsvFormat;
  bySeries: Map<string, SeriesObservations>;
}

export interface IngestOptions {
  format: CsvFormat | "auto";
  columns: ColumnNames;
  /** Called about once a second while a file is read, e.g. to print rows/s. */
  onProgress?: (progress: CsvProgress) => void;
}

// A plain decimal number: rejects "", "1,234", "12abc", "NaN", "Infinity" and hex that Number() would accept
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
// distinct date strings parsed once; a file rarely has more, and past it the cache starts over
const DATE_CACHE_LIMIT = 100_000;

/**
 * Reads every row of a transactions or long CSV file into per-series observations, checking each field.
 * Memory is the observations (12 bytes a row) plus one entry per series and per distinct date, not per row:
 * a long file's duplicate (series, date) rows are found per series, in order as they come when each series'
 * dates rise (the usual file), else by sorting its days once the file is read.
 */
export async function readObservations(file: string, options: IngestOptions): Promise<ObservationTable> {
  let layout: ColumnLayout | undefined;
  const builders = new Map<string, SeriesColumns>();
  const dayOf = new Map<string, number>();
  // series whose days did not rise row by row: checked for duplicates once the file is read
  const unordered = new Set<SeriesColumns>();
  await readCsvRecords(
    file,
    (fields, line) => {
      if (!layout) {
        layout = resolveColumns(fields, options.format, options.columns, file);
        return;
      }
      const seriesId = fields[layout.seriesIndex];
      if (seriesId === "") {
        throw new DataError(`${file}:${line}: empty series id in column "${layout.names.series}"`);
      }
      const dateText = fields[layout.dateIndex];
      let day = dayOf.get(dateText);
      if (day === undefined) {
        day = parseDay(dateText, line, layout, file);
        if (dayOf.size >= DATE_CACHE_LIMIT) dayOf.clear();
        dayOf.set(dateText, day);
      }
      const value = parseValue(fields[layout.valueIndex], line, layout, file);
      let builder = builders.get(seriesId);
      if (!builder) {
        builder = new SeriesColumns();
        builders.set(seriesId, builder);
      }
      if (layout.format === "long" && builder.length > 0 && day <= builder.lastDay) {
        // the first duplicate of the file when no series went out of order before: name it now
        if (day === builder.lastDay && unordered.size === 0)
          throw duplicateRow(file, line, seriesId, day, builder.lastLine);
        unordered.add(builder);
      }
      builder.push(day, value, line);
    },
    { onProgress: options.onProgress },
  );
  if (!layout) throw new DataError(`${file}: the file is empty (no header, no rows)`);
  if (builders.size === 0) throw new DataError(`${file}: the file has a header but no data rows`);
  const bySeries = new Map<string, SeriesObservations>();
  const duplicated = new Map<string, Set<number>>();
  for (const [id, builder] of builders) {
    const observations = builder.finish();
    bySeries.set(id, observations);
    if (!unordered.has(builder)) continue;
    const days = findDuplicateDays(observations.days);
    if (days.size > 0) duplicated.set(id, days);
  }
  if (duplicated.size > 0) await reportFirstDuplicate(file, layout, duplicated);
  return { file, format: layout.format, bySeries };
}

/**
 * Reads the file again to name the first duplicate row and the row it repeats, as they come in the file;
 * only the (series, day) pairs known to repeat are remembered.
 */
async function reportFirstDuplicate(
  file: string,
  layout: ColumnLayout,
  duplicated: ReadonlyMap<string, ReadonlySet<number>>,
): Promise<never> {
  const firstLine = new Map<string, number>();
  let header = true;
  await readCsvRecords(file, (fields, line) => {
    if (header) {
      header = false;
      return;
    }
    const seriesId = fields[layout.seriesIndex];
    const day = parseIsoDay(fields[layout.dateIndex]) as number;
    if (!duplicated.get(seriesId)?.has(day)) return;
    const key = `${seriesId}\u0000${day}`;
    const first = firstLine.get(key);
    if (first !== undefined) throw duplicateRow(file, line, seriesId, day, first);
    firstLine.set(key, line);
  });
  throw new Error(`${file}: a duplicate row found in the first reading was not found in the second`);
}

function duplicateRow(
  file: string,
  line: number,
  seriesId: string,
  day: number,
  firstLine: number,
): DataError {
  return new DataError(
    `${file}:${line}: duplicate row for series "${seriesId}" on ${formatIsoDay(day)} ` +
      `(first at line ${firstLine}); the long format has one row per series and date`,
  );
}

function parseDay(text: string, line: number, layout: ColumnLayout, file: string): number {
  const day = parseIsoDay(text);
  if (day === undefined) {
    throw new DataError(
      `${file}:${line}: cannot parse date "${text}" in column "${layout.names.date}" (expected YYYY-MM-DD)`,
    );
  }
  return day;
}

function parseValue(text: string, line: number, layout: ColumnLayout, file: string): number {
  const value = Number(text);
  if (!DECIMAL.test(text) || !Number.isFinite(value)) {
    throw new DataError(`${file}:${line}: cannot parse number "${text}" in column "${layout.names.value}"`);
  }
  return value;
}
