import { DataError } from "./errors.ts";

export type CsvFormat = "transactions" | "long";

export interface ColumnNames {
  date: string;
  series: string;
  value: string;
}

/** Where each role lives in a record, and which format the file is read as. */
export interface ColumnLayout {
  format: CsvFormat;
  names: ColumnNames;
  dateIndex: number;
  seriesIndex: number;
  valueIndex: number;
}

/** The fixed header of long files: one row per series and period. */
export const LONG_COLUMNS: ColumnNames = { series: "series_id", date: "date", value: "value" };

/**
 * `auto` reads a file whose header holds series_id, date and value as long, anything else as transactions.
 * A long file uses the configured columns when all three are present, else series_id/date/value.
 */
export function resolveColumns(
  header: readonly string[],
  format: CsvFormat | "auto",
  configured: ColumnNames,
  file: string,
): ColumnLayout {
  const resolved = format === "auto" ? (hasAll(header, LONG_COLUMNS) ? "long" : "transactions") : format;
  const names = resolved === "long" && !hasAll(header, configured) ? LONG_COLUMNS : configured;
  const missing = [names.series, names.date, names.value].filter((name) => !header.includes(name));
  if (missing.length > 0) {
    const list = missing.map((name) => `"${name}"`).join(", ");
    throw new DataError(
      `${file}: missing column ${list} for the ${resolved} format; columns found: ${header.join(", ")}`,
    );
  }
  return {
    format: resolved,
    names,
    dateIndex: header.indexOf(names.date),
    seriesIndex: header.indexOf(names.series),
    valueIndex: header.indexOf(names.value),
  };
}

function hasAll(header: readonly string[], names: ColumnNames): boolean {
  return header.includes(names.series) && header.includes(names.date) && header.includes(names.value);
}
