import { randomBytes } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";

/** Forces a file's or a folder's content (a folder's: its entries) to the disk. */
function fsyncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A save that failed: the message says where, and why in words (no space left, not allowed). */
export class SaveError extends Error {
  override name = "SaveError";
}

const CAUSES: Record<string, string> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "the disk quota is used up",
  EFBIG: "the file is larger than this process may write",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "the file system is read-only",
  EIO: "an input/output error",
};

function saveError(what: string, error: unknown): SaveError {
  const code = (error as NodeJS.ErrnoException).code;
  const cause = (code !== undefined && CAUSES[code]) || (error as Error).message;
  return new SaveError(`cannot save ${what}: ${cause}${code ? ` (${code})` : ""}`);
}

/** writeSync may write less than asked: loop until the whole chunk is written. */
function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
}

/** Writes a file so that readers see either the old content or the whole new one, never a part. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  writeChunksAtomic(path, [data]);
}

/** As writeFileAtomic, for content made piece by piece (a large export never held as one string). */
export function writeChunksAtomic(path: string, chunks: Iterable<string | Uint8Array>): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${randomBytes(6).toString("hex")}.tmp`);
  try {
    const fd = openSync(temp, "w");
    try {
      for (const chunk of chunks) writeAll(fd, typeof chunk === "string" ? Buffer.from(chunk) : chunk);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    fsyncPath(dirname(path));
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * Fills a fresh folder through `fill`, then renames it into place, so a folder at `target` is always
 * complete. Fails when `target` already exists rather than mixing two artifacts.
 *
 * Durable once it returns: every file and the folder itself are fsynced before the rename, and the parent
 * after it, so a registry row written next never names a folder that a power cut could take back. A write
 * that fails (a full disk) is a SaveError saying so, and leaves nothing behind.
 */
export function writeFolderAtomic(target: string, fill: (folder: string) => void): void {
  const parent = dirname(target);
  let temp: string | undefined;
  try {
    mkdirSync(parent, { recursive: true });
    temp = join(parent, `.${randomBytes(6).toString("hex")}.partial`);
    mkdirSync(temp);
    fill(temp);
    for (const name of readdirSync(temp)) fsyncPath(join(temp, name));
    fsyncPath(temp);
    renameSync(temp, target);
    fsyncPath(parent);
  } catch (error) {
    if (temp !== undefined) rmSync(temp, { recursive: true, force: true });
    throw saveError(`the model files in ${parent}`, error);
  }
}
