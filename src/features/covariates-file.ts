import { readCsvRecords } from "../data/csv.ts";
import { formatIsoDay, parseIsoDay } from "../data/dates.ts";
import { DataError } from "../data/errors.ts";

/** Every series' covariate rows by day; `shared` when the file has no series_id column (all series use it). */
export interface CovariateTable {
  file: string;
  names: string[];
  /** By series id, or the one key SHARED_SERIES when the file has no series_id column. */
  bySeries: Map<string, Map<number, Float64Array>>;
  shared: boolean;
}

export const SHARED_SERIES = "";
const DATE = "date";
const SERIES = "series_id";
// A plain decimal number: rejects "", "1,234", "NaN", "Infinity" and hex that Number() would accept
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Reads a covariates CSV: a `date` column (YYYY-MM-DD, the first day of the period), an optional `series_id`
 * column, and one or more named numeric columns. Every field is checked; a problem names the file, the line,
 * the column and the rule.
 */
export async function readCovariates(file: string, knownFuture: readonly string[]): Promise<CovariateTable> {
  let header: string[] | undefined;
  let dateIndex = -1;
  let seriesIndex = -1;
  let valueColumns: { name: string; index: number }[] = [];
  const bySeries = new Map<string, Map<number, Float64Array>>();
  const seenAt = new Map<string, number>();
  // The reader reuses `fields` between records: the header is copied.
  await readCsvRecords(file, (fields, line) => {
    if (!header) {
      header = [...fields];
      checkHeader(file, header);
      dateIndex = header.indexOf(DATE);
      seriesIndex = header.indexOf(SERIES);
      valueColumns = header
        .map((name, index) => ({ name, index }))
        .filter(({ index }) => index !== dateIndex && index !== seriesIndex);
      if (valueColumns.length === 0) {
        throw new DataError(
          `${file}: data.covariates_path has no covariate column besides date and series_id`,
        );
      }
      const unknown = knownFuture.filter(
        (name) => !header?.includes(name) || name === DATE || name === SERIES,
      );
      if (unknown.length > 0) {
        throw new DataError(
          `data.known_future names ${unknown.map((n) => `'${n}'`).join(", ")}, not a covariate column of ${file} (columns: ${valueColumns.map((c) => c.name).join(", ")})`,
        );
      }
      return;
    }
    if (fields.length !== header.length) {
      throw new DataError(`${file}:${line}: ${fields.length} fields, the header has ${header.length}`);
    }
    const dateText = fields[dateIndex];
    const day = parseIsoDay(dateText);
    if (day === undefined) {
      throw new DataError(
        `${file}:${line}: cannot parse date "${dateText}" in column "date" (expected YYYY-MM-DD)`,
      );
    }
    const id = seriesIndex < 0 ? SHARED_SERIES : fields[seriesIndex];
    if (seriesIndex >= 0 && id === "")
      throw new DataError(`${file}:${line}: empty series id in column "series_id"`);
    const key = `${id}\u0000${day}`;
    const first = seenAt.get(key);
    if (first !== undefined) {
      const whose = seriesIndex < 0 ? "" : ` for series "${id}"`;
      throw new DataError(
        `${file}:${line}: duplicate row${whose} on ${formatIsoDay(day)} (first at line ${first}); one row per series and date`,
      );
    }
    seenAt.set(key, line);
    const values = new Float64Array(valueColumns.length);
    valueColumns.forEach(({ name, index }, c) => {
      const text = fields[index];
      const value = Number(text);
      if (!DECIMAL.test(text) || !Number.isFinite(value)) {
        throw new DataError(`${file}:${line}: column "${name}" must be a finite number, got "${text}"`);
      }
      values[c] = value;
    });
    let rows = bySeries.get(id);
    if (!rows) {
      rows = new Map();
      bySeries.set(id, rows);
    }
    rows.set(day, values);
  });
  if (!header) throw new DataError(`${file}: the covariates file is empty (no header, no rows)`);
  if (bySeries.size === 0) throw new DataError(`${file}: the covariates file has a header but no data rows`);
  return { file, names: valueColumns.map((c) => c.name), bySeries, shared: seriesIndex < 0 };
}

function checkHeader(file: string, header: readonly string[]): void {
  if (!header.includes(DATE)) {
    throw new DataError(`${file}: the covariates file needs a "date" column (header: ${header.join(", ")})`);
  }
  const seen = new Set<string>();
  for (const name of header) {
    if (name === "") throw new DataError(`${file}: the covariates header has an empty column name`);
    if (seen.has(name)) throw new DataError(`${file}: the covariates header names column "${name}" twice`);
    seen.add(name);
  }
}

/** The covariate rows of one series: its own, or the shared ones; a series the file lacks is an error. */
export function covariateRowsOf(table: CovariateTable, seriesId: string): Map<number, Float64Array> {
  const rows = table.bySeries.get(table.shared ? SHARED_SERIES : seriesId);
  if (!rows) throw new DataError(`${table.file}: no covariate rows for series "${seriesId}"`);
  return rows;
}
