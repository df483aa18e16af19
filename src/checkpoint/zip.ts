/**
 * A reader for the zip files torch.save writes: the central directory (with its zip64 records), stored or
 * deflated entries, CRC-checked. Entries are only ever read into memory by name, never written out, and a name
 * that would point outside the archive's root is refused all the same.
 */
import { crc32, inflateRawSync } from "node:zlib";
import { CheckpointError } from "./errors.ts";

interface ZipEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const ZIP64_EXTRA_ID = 0x0001;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const STORED = 0;
const DEFLATED = 8;

/** A name is refused when it could leave the archive's root: absolute, a drive, a backslash or a `..` part. */
function checkEntryName(file: string, name: string): void {
  const outside =
    name.length === 0 ||
    name.startsWith("/") ||
    name.includes("\\") ||
    name.includes("\0") ||
    /^[a-zA-Z]:/.test(name) ||
    name.split("/").some((part) => part === "..");
  if (outside) throw new CheckpointError(`${file}: zip entry '${name}' points outside the archive's root`);
}

export class ZipArchive {
  private readonly entries = new Map<string, ZipEntry>();

  private constructor(
    private readonly file: string,
    private readonly bytes: Buffer,
  ) {}

  /** Reads the central directory of `bytes` (the whole file); `file` names it in errors. */
  static open(file: string, bytes: Buffer): ZipArchive {
    const archive = new ZipArchive(file, bytes);
    archive.readDirectory();
    return archive;
  }

  get names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  private fail(message: string): never {
    throw new CheckpointError(`${this.file}: ${message}`);
  }

  private u16(offset: number): number {
    if (offset + 2 > this.bytes.length) this.fail("is truncated (a zip record runs past the end)");
    return this.bytes.readUInt16LE(offset);
  }

  private u32(offset: number): number {
    if (offset + 4 > this.bytes.length) this.fail("is truncated (a zip record runs past the end)");
    return this.bytes.readUInt32LE(offset);
  }

  private u64(offset: number): number {
    if (offset + 8 > this.bytes.length) this.fail("is truncated (a zip record runs past the end)");
    const value = this.bytes.readBigUInt64LE(offset);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) this.fail("has a zip64 size beyond what can be read");
    return Number(value);
  }

  private findEndRecord(): number {
    const lowest = Math.max(0, this.bytes.length - EOCD_SIZE - MAX_COMMENT);
    for (let at = this.bytes.length - EOCD_SIZE; at >= lowest; at--) {
      if (this.bytes.readUInt32LE(at) === EOCD_SIGNATURE) return at;
    }
    return this.fail("is not a zip file (no end of central directory record); a checkpoint is a zip");
  }

  private readDirectory(): void {
    if (this.bytes.length < EOCD_SIZE) this.fail("is not a zip file (too short); a checkpoint is a zip");
    const end = this.findEndRecord();
    let count = this.u16(end + 10);
    let directorySize = this.u32(end + 12);
    let directoryOffset = this.u32(end + 16);
    if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
      const locator = end - 20;
      if (locator < 0 || this.u32(locator) !== ZIP64_LOCATOR_SIGNATURE) {
        this.fail("needs a zip64 end record but has no zip64 locator");
      }
      const record = this.u64(locator + 8);
      if (this.u32(record) !== ZIP64_EOCD_SIGNATURE)
        this.fail("has a zip64 locator pointing at no zip64 record");
      count = this.u64(record + 32);
      directorySize = this.u64(record + 40);
      directoryOffset = this.u64(record + 48);
    }
    if (directoryOffset + directorySize > this.bytes.length) {
      this.fail("is truncated (its central directory runs past the end of the file)");
    }
    let at = directoryOffset;
    for (let i = 0; i < count; i++) {
      if (this.u32(at) !== CENTRAL_SIGNATURE) this.fail(`has a damaged central directory (entry ${i})`);
      const entry = this.readCentralEntry(at);
      checkEntryName(this.file, entry.name);
      if (this.entries.has(entry.name)) this.fail(`holds zip entry '${entry.name}' twice`);
      this.entries.set(entry.name, entry);
      at += 46 + this.u16(at + 28) + this.u16(at + 30) + this.u16(at + 32);
    }
  }

  private readCentralEntry(at: number): ZipEntry {
    const flags = this.u16(at + 8);
    const nameLength = this.u16(at + 28);
    const extraLength = this.u16(at + 30);
    if (at + 46 + nameLength + extraLength > this.bytes.length) this.fail("is truncated (in its directory)");
    const name = this.bytes.toString(flags & 0x800 ? "utf8" : "latin1", at + 46, at + 46 + nameLength);
    const entry: ZipEntry = {
      name,
      method: this.u16(at + 10),
      crc: this.u32(at + 16),
      compressedSize: this.u32(at + 20),
      size: this.u32(at + 24),
      localHeaderOffset: this.u32(at + 42),
    };
    if (flags & 0x1) this.fail(`zip entry '${name}' is encrypted`);
    this.applyZip64Extra(entry, at + 46 + nameLength, extraLength);
    return entry;
  }

  /** Sizes and offsets of 0xffffffff are in the zip64 extra field, in this order, when present. */
  private applyZip64Extra(entry: ZipEntry, start: number, length: number): void {
    const fields = ["size", "compressedSize", "localHeaderOffset"] as const;
    const wanted = fields.filter((field) => entry[field] === 0xffffffff);
    if (wanted.length === 0) return;
    for (let at = start; at + 4 <= start + length; ) {
      const id = this.u16(at);
      const size = this.u16(at + 2);
      if (id === ZIP64_EXTRA_ID) {
        wanted.forEach((field, i) => {
          if (8 * (i + 1) > size) this.fail(`zip entry '${entry.name}' has a short zip64 extra field`);
          entry[field] = this.u64(at + 4 + 8 * i);
        });
        return;
      }
      at += 4 + size;
    }
    this.fail(`zip entry '${entry.name}' needs a zip64 extra field and has none`);
  }

  /** The bytes of one entry, inflated if it was deflated, and checked against its CRC. */
  read(name: string): Buffer {
    const entry = this.entries.get(name);
    if (entry === undefined) this.fail(`has no zip entry '${name}'`);
    const local = entry.localHeaderOffset;
    if (this.u32(local) !== LOCAL_SIGNATURE) this.fail(`zip entry '${name}' has no local header`);
    const start = local + 30 + this.u16(local + 26) + this.u16(local + 28);
    const end = start + entry.compressedSize;
    if (end > this.bytes.length) this.fail(`zip entry '${name}' is truncated (its data runs past the end)`);
    const stored = this.bytes.subarray(start, end);
    let data: Buffer;
    if (entry.method === STORED) data = stored;
    else if (entry.method === DEFLATED) {
      try {
        data = inflateRawSync(stored, { maxOutputLength: Math.max(1, entry.size) });
      } catch (error) {
        this.fail(`zip entry '${name}' does not inflate: ${(error as Error).message}`);
      }
    } else this.fail(`zip entry '${name}' uses compression method ${entry.method} (only stored and deflate)`);
    if (data.length !== entry.size) {
      this.fail(`zip entry '${name}' has ${data.length} bytes, its directory says ${entry.size}`);
    }
    if (crc32(data) !== entry.crc) this.fail(`zip entry '${name}' does not match its CRC (damaged file)`);
    return data;
  }
}
