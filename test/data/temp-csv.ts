import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Writes `text` to a fresh temp file and returns its path. */
export function writeTempCsv(text: string, name = "sales.csv"): string {
  const file = join(mkdtempSync(join(tmpdir(), "salescast-data-")), name);
  writeFileSync(file, text);
  return file;
}

/** The bundled transactions file of the repo. */
export const SALES_DATA_CSV = fileURLToPath(new URL("../../data/sales_data.csv", import.meta.url));

/** A copy of one of the shared datasets, kept in test/fixtures/data by its file name. */
export function sharedDataFile(relative: string): string {
  const name = relative.slice(relative.lastIndexOf("/") + 1);
  return fileURLToPath(new URL(`../fixtures/data/${name}`, import.meta.url));
}
