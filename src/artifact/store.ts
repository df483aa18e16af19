import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { z } from "zod";
import { writeFolderAtomic } from "./atomic.ts";
import {
  BinaryForecastsError,
  binaryForecastsSchema,
  decodeForecasts,
  encodeForecasts,
  FORECASTS_BIN_FILE,
} from "./forecasts-bin.ts";
import {
  ARTIFACT_FILES,
  type ArtifactMeta,
  BINARY_FORECASTS_FORMAT_VERSION,
  FORECASTS_FILE,
  forecastsSchema,
  metaSchema,
  type Normalization,
  normalizationSchema,
  type StoredForecasts,
} from "./format.ts";
import { isNormalization, isStoredForecasts } from "./quick-checks.ts";

/** A saved model that cannot be used; the message names the file and what is wrong with it. */
export class ArtifactError extends Error {
  override name = "ArtifactError";
}

export interface Artifact {
  folder: string;
  onnx: Uint8Array;
  normalization: Normalization;
  meta: ArtifactMeta;
  /** Format 2's stored forecasts; null for a format 1 model, which has none. */
  forecasts: StoredForecasts | null;
}

export type NewArtifact = Omit<Artifact, "folder" | "meta"> & {
  meta: Omit<ArtifactMeta, "onnx_sha256" | "created_at" | "forecasts_sha256">;
};

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** A sortable, unique folder name; series ids never become paths. */
function newVersionFolderName(created: Date): string {
  const stamp = created.toISOString().replace(/[-:.]/g, "");
  return `${stamp}-${randomBytes(4).toString("hex")}`;
}

/**
 * Writes model.onnx, normalization.json, meta.json and the stored forecasts (forecasts.json, and forecasts.bin
 * when meta says format 4) into a new folder under `root`, all or nothing.
 */
export function saveArtifact(root: string, artifact: NewArtifact, created = new Date()): Artifact {
  const binary = artifact.meta.format_version === BINARY_FORECASTS_FORMAT_VERSION;
  const encoded =
    artifact.forecasts === null
      ? null
      : binary
        ? encodeForecasts(artifact.forecasts)
        : { json: `${JSON.stringify(artifact.forecasts)}\n`, bin: null };
  const forecastsText = encoded === null ? null : encoded.json;
  const meta: ArtifactMeta = {
    ...artifact.meta,
    created_at: created.toISOString(),
    onnx_sha256: sha256Hex(artifact.onnx),
    ...(forecastsText === null ? {} : { forecasts_sha256: sha256Hex(Buffer.from(forecastsText)) }),
  };
  const folder = join(root, newVersionFolderName(created));
  writeFolderAtomic(folder, (temp) => {
    writeFileSync(join(temp, ARTIFACT_FILES.model), artifact.onnx);
    writeFileSync(
      join(temp, ARTIFACT_FILES.normalization),
      `${JSON.stringify(artifact.normalization, null, 2)}\n`,
    );
    if (forecastsText !== null) writeFileSync(join(temp, FORECASTS_FILE), forecastsText);
    if (encoded?.bin) writeFileSync(join(temp, FORECASTS_BIN_FILE), encoded.bin);
    writeFileSync(join(temp, ARTIFACT_FILES.meta), `${JSON.stringify(meta, null, 2)}\n`);
  });
  return {
    folder,
    onnx: artifact.onnx,
    normalization: artifact.normalization,
    meta,
    forecasts: artifact.forecasts,
  };
}

/**
 * An artifact's files by name (model.onnx, normalization.json, meta.json, forecasts.json, forecasts.bin), as
 * bytes.
 */
export type ArtifactFiles = ReadonlyMap<string, Uint8Array>;

const ARTIFACT_FILE_NAMES = [...Object.values(ARTIFACT_FILES), FORECASTS_FILE, FORECASTS_BIN_FILE];

/** The files of an artifact folder that exist, read into memory: what a database keeps of a version. */
export function readArtifactFiles(folder: string): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const name of ARTIFACT_FILE_NAMES) {
    const path = join(folder, name);
    if (!existsSync(path)) continue;
    const bytes = readFileSync(path);
    // a view of the Buffer, not a copy: forecasts.json of a large model is hundreds of MB
    files.set(name, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }
  return files;
}

function readJsonFile<T>(file: string, schema: z.ZodType<T>, text: string): T {
  return checked(file, schema, parsedJson(file, text));
}

function parsedJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ArtifactError(`${file} is not readable JSON: ${(error as Error).message}`);
  }
}

function checked<T>(file: string, schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ArtifactError(
      `${file} is malformed: ${issue.path.join(".") || "(top level)"}: ${issue.message}`,
    );
  }
  return parsed.data;
}

/** Reads and checks an artifact folder: every file present, well-formed, and the ONNX checksum matching. */
export function readArtifact(folder: string): Artifact {
  return artifactFromFiles(folder, readArtifactFiles(folder));
}

/**
 * Checks an artifact held in memory (read from a folder or a database) as readArtifact checks a folder.
 * `folder` is where the files came from; every error names a file under it.
 */
export function artifactFromFiles(folder: string, files: ArtifactFiles): Artifact {
  const fileOf = (name: string): Uint8Array => {
    const bytes = files.get(name);
    if (bytes === undefined) throw new ArtifactError(`${join(folder, name)} is missing`);
    return bytes;
  };
  const text = (name: string) => utf8(fileOf(name));
  for (const file of Object.values(ARTIFACT_FILES)) fileOf(file);
  const meta = readJsonFile(join(folder, ARTIFACT_FILES.meta), metaSchema, text(ARTIFACT_FILES.meta));
  const normalizationFile = join(folder, ARTIFACT_FILES.normalization);
  const normalization = checkedNormalization(
    normalizationFile,
    parsedJson(normalizationFile, text(ARTIFACT_FILES.normalization)),
  );
  const onnxPath = join(folder, ARTIFACT_FILES.model);
  const onnx = fileOf(ARTIFACT_FILES.model);
  const actual = sha256Hex(onnx);
  if (actual !== meta.onnx_sha256) {
    throw new ArtifactError(
      `${onnxPath} does not match its checksum (expected ${meta.onnx_sha256}, got ${actual})`,
    );
  }
  for (const id of meta.series) {
    if (!(id in normalization.series)) {
      throw new ArtifactError(
        `${join(folder, ARTIFACT_FILES.normalization)} has no stats for series '${id}'`,
      );
    }
  }
  return { folder, onnx, normalization, meta, forecasts: readForecasts(folder, meta, files) };
}

/**
 * forecasts.json, checked against its checksum in meta.json, and in format 4 forecasts.bin, checked against
 * its own in forecasts.json; null for a model that stores none (format 1, or one imported from elsewhere),
 * which meta.json says by having no checksum for it.
 */
function readForecasts(folder: string, meta: ArtifactMeta, files: ArtifactFiles): StoredForecasts | null {
  if (meta.forecasts_sha256 === undefined) return null;
  const file = join(folder, FORECASTS_FILE);
  const bytes = files.get(FORECASTS_FILE);
  if (bytes === undefined) throw new ArtifactError(`${file} is missing`);
  const actual = sha256Hex(bytes);
  if (actual !== meta.forecasts_sha256) {
    throw new ArtifactError(
      `${file} does not match its checksum (expected ${meta.forecasts_sha256}, got ${actual})`,
    );
  }
  const value = parsedJson(file, utf8(bytes));
  if (meta.format_version !== BINARY_FORECASTS_FORMAT_VERSION) return checkedForecasts(file, value);
  const index = checked(file, binaryForecastsSchema, value);
  const binFile = join(folder, FORECASTS_BIN_FILE);
  const bin = files.get(FORECASTS_BIN_FILE);
  if (bin === undefined) throw new ArtifactError(`${binFile} is missing`);
  try {
    return decodeForecasts(index, bin);
  } catch (error) {
    if (error instanceof BinaryForecastsError) throw new ArtifactError(`${binFile} ${error.message}`);
    throw error;
  }
}

/**
 * A parsed forecasts.json as `forecastsSchema` checks it: by the plain loops of quick-checks.ts, the value
 * itself (no copy); what they do not accept goes through the schema, for its message or its copy.
 */
export function checkedForecasts(file: string, value: unknown): StoredForecasts {
  return isStoredForecasts(value) ? (value as StoredForecasts) : checked(file, forecastsSchema, value);
}

/** A parsed normalization.json as `normalizationSchema` checks it, as checkedForecasts checks forecasts. */
export function checkedNormalization(file: string, value: unknown): Normalization {
  return isNormalization(value) ? (value as Normalization) : checked(file, normalizationSchema, value);
}

/** The text of UTF-8 bytes, decoded from them where they are (Buffer.from of a Uint8Array copies it). */
const utf8 = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");

/** The artifact folders under `root`, oldest first (folder names sort by creation time). */
export function listArtifactFolders(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith("."))
    .map((entry) => join(root, entry.name))
    .sort();
}
