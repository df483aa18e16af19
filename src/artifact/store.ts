import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { z } from "zod";
import { writeFolderAtomic } from "./atomic.ts";
import {
  ARTIFACT_FILES,
  type ArtifactMeta,
  FORECASTS_FILE,
  forecastsSchema,
  metaSchema,
  type Normalization,
  normalizationSchema,
  type StoredForecasts,
} from "./format.ts";

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

/** Writes model.onnx, normalization.json and meta.json into a new folder under `root`, all or nothing. */
export function saveArtifact(root: string, artifact: NewArtifact, created = new Date()): Artifact {
  const forecastsText = artifact.forecasts === null ? null : `${JSON.stringify(artifact.forecasts)}\n`;
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

function readJsonFile<T>(file: string, schema: z.ZodType<T>, text?: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text ?? readFileSync(file, "utf8"));
  } catch (error) {
    throw new ArtifactError(`${file} is not readable JSON: ${(error as Error).message}`);
  }
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
  for (const file of Object.values(ARTIFACT_FILES)) {
    if (!existsSync(join(folder, file))) throw new ArtifactError(`${join(folder, file)} is missing`);
  }
  const meta = readJsonFile(join(folder, ARTIFACT_FILES.meta), metaSchema);
  const normalization = readJsonFile(join(folder, ARTIFACT_FILES.normalization), normalizationSchema);
  const onnxPath = join(folder, ARTIFACT_FILES.model);
  const onnx = new Uint8Array(readFileSync(onnxPath));
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
  return { folder, onnx, normalization, meta, forecasts: readForecasts(folder, meta) };
}

/**
 * forecasts.json, checked against its checksum in meta.json; null for a model that stores none (format 1, or
 * one imported from elsewhere), which meta.json says by having no checksum for it.
 */
function readForecasts(folder: string, meta: ArtifactMeta): StoredForecasts | null {
  if (meta.forecasts_sha256 === undefined) return null;
  const file = join(folder, FORECASTS_FILE);
  if (!existsSync(file)) throw new ArtifactError(`${file} is missing`);
  const text = readFileSync(file, "utf8");
  const actual = sha256Hex(Buffer.from(text));
  if (actual !== meta.forecasts_sha256) {
    throw new ArtifactError(
      `${file} does not match its checksum (expected ${meta.forecasts_sha256}, got ${actual})`,
    );
  }
  return readJsonFile(file, forecastsSchema, text);
}

/** The artifact folders under `root`, oldest first (folder names sort by creation time). */
export function listArtifactFolders(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith("."))
    .map((entry) => join(root, entry.name))
    .sort();
}
