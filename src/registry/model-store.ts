import { relative, resolve } from "node:path";
import type { Database } from "better-sqlite3";
import { z } from "zod";
import { RegistryError } from "./errors.ts";
import {
  jsonColumn,
  type ModelVersion,
  STAGES,
  type ValidationMetrics,
  validationMetricsSchema,
} from "./records.ts";

const modelRowSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  version: z.number().int(),
  stage: z.enum(STAGES),
  created_at: z.string(),
  promoted_at: z.string().nullable(),
  previous_production_id: z.number().int().nullable(),
  artifact_folder: z.string(),
  onnx_sha256: z.string(),
  metrics: jsonColumn(validationMetricsSchema),
  config: jsonColumn(z.record(z.string(), z.unknown())),
});

export interface NewModelRow {
  name: string;
  created_at: string;
  folder: string;
  onnx_sha256: string;
  metrics: ValidationMetrics;
  config: Record<string, unknown>;
}

/**
 * The SQL of the models table. It runs no transactions of its own: the Registry wraps each public
 * operation in one. Artifact folders are stored relative to `base` (the database file's folder).
 */
export class ModelStore {
  private readonly statements;

  constructor(
    db: Database,
    private readonly base: string,
  ) {
    this.statements = {
      byId: db.prepare("SELECT * FROM models WHERE id = ?"),
      byFolder: db.prepare("SELECT * FROM models WHERE artifact_folder = ?"),
      production: db.prepare("SELECT * FROM models WHERE name = ? AND stage = 'production'"),
      allProduction: db.prepare("SELECT * FROM models WHERE stage = 'production' ORDER BY name"),
      all: db.prepare("SELECT * FROM models ORDER BY name, version"),
      names: db.prepare("SELECT DISTINCT name FROM models ORDER BY name").pluck(),
      nextVersion: db.prepare("SELECT coalesce(max(version), 0) + 1 FROM models WHERE name = ?").pluck(),
      insert: db.prepare(
        `INSERT INTO models (name, version, stage, created_at, artifact_folder, onnx_sha256, metrics, config)
         VALUES (@name, @version, 'candidate', @created_at, @artifact_folder, @onnx_sha256, @metrics, @config)`,
      ),
      archive: db.prepare("UPDATE models SET stage = 'archived' WHERE id = ?"),
      makeProduction: db.prepare(
        `UPDATE models SET stage = 'production', promoted_at = @promoted_at,
           previous_production_id = @previous_production_id WHERE id = @id`,
      ),
    };
  }

  private toRecord(row: unknown): ModelVersion {
    const { artifact_folder, ...rest } = modelRowSchema.parse(row);
    return { ...rest, folder: resolve(this.base, artifact_folder) };
  }

  private storedFolder(folder: string): string {
    return relative(this.base, resolve(folder));
  }

  find(id: number): ModelVersion | undefined {
    const row = this.statements.byId.get(id);
    return row === undefined ? undefined : this.toRecord(row);
  }

  get(id: number): ModelVersion {
    const model = this.find(id);
    if (model === undefined) throw new RegistryError(`no model with id ${id}`, "not_found");
    return model;
  }

  byFolder(folder: string): ModelVersion | undefined {
    const row = this.statements.byFolder.get(this.storedFolder(folder));
    return row === undefined ? undefined : this.toRecord(row);
  }

  productionOf(name: string): ModelVersion | undefined {
    const row = this.statements.production.get(name);
    return row === undefined ? undefined : this.toRecord(row);
  }

  allProduction(): ModelVersion[] {
    return this.statements.allProduction.all().map((row) => this.toRecord(row));
  }

  all(): ModelVersion[] {
    return this.statements.all.all().map((row) => this.toRecord(row));
  }

  names(): string[] {
    return this.statements.names.all() as string[];
  }

  /** Adds the next version of `model.name` as a candidate. */
  insertCandidate(model: NewModelRow): ModelVersion {
    const { lastInsertRowid } = this.statements.insert.run({
      name: model.name,
      version: this.statements.nextVersion.get(model.name),
      created_at: model.created_at,
      artifact_folder: this.storedFolder(model.folder),
      onnx_sha256: model.onnx_sha256,
      metrics: JSON.stringify(model.metrics),
      config: JSON.stringify(model.config),
    });
    return this.get(Number(lastInsertRowid));
  }

  archive(id: number): void {
    this.statements.archive.run(id);
  }

  /** Only after the name's current production version is archived (one production per name). */
  makeProduction(id: number, previousProductionId: number | null, at: string): ModelVersion {
    this.statements.makeProduction.run({
      id,
      previous_production_id: previousProductionId,
      promoted_at: at,
    });
    return this.get(id);
  }
}
