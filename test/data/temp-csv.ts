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

/** A file of the shared datasets, a sibling folder of the repo root. */
export function sharedDataFile(relative: string): string {
  return fileURLToPath(new URL(`../../../shared/data/${relative}`, import.meta.url));
}
