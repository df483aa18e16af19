import type { CsvProgress } from "./csv.ts";

/** Files smaller than this read in well under a second: no progress for them. */
const MIN_BYTES = 4 << 20;

export interface IngestProgress {
  onProgress(progress: CsvProgress): void;
  /** Ends the line, once the file is read. */
  finish(): void;
}

/**
 * One line on stderr while a large file is read: rows so far, share of the file, rows/s. Redrawn in place on a
 * terminal; elsewhere (logs) a line every ten seconds.
 */
export function ingestProgress(file: string, stream: NodeJS.WriteStream = process.stderr): IngestProgress {
  let printed = false;
  let lastLine = -Infinity;
  return {
    onProgress({ records, bytes, totalBytes, seconds }) {
      if (totalBytes < MIN_BYTES) return;
      if (!stream.isTTY && seconds - lastLine < 10) return;
      lastLine = seconds;
      const rows = Math.max(0, records - 1);
      const share = ((100 * bytes) / totalBytes).toFixed(0);
      const rate = (rows / Math.max(seconds, 1e-9) / 1e6).toFixed(2);
      const text = `${file}: ${(rows / 1e6).toFixed(1)} M rows read (${share}%), ${rate} M rows/s`;
      stream.write(stream.isTTY ? `\r${text}` : `${text}\n`);
      printed = true;
    },
    finish() {
      if (printed && stream.isTTY) stream.write("\n");
    },
  };
}
