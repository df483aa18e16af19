import { relative, resolve } from "node:path";
import type { Database } from "better-sqlite3";
import type { ModelRows, NewModelRow } from "./backend.ts";
import type { ModelVersion } from "./records.ts";
import { modelRowSchema } from "./row-schemas.ts";

/**
 * The SQL of the models table in SQLite. It runs no transactions of its own: the backend wraps each
 * Registry operation in one. Artifact folders are stored relative to `base` (the database file's folder);
 * the files stay in them.
 */
export class SqliteModelRows implements ModelRows {
  private readonly statements;

  constructor(
    db: Database,
    private readonly base: string,
  ) {
    this.statements = {
      byId: db.prepare("SELECT * FROM models WHERE id = ?"),
      byFolder: db.prepare("SELECT * FROM models WHERE artifact_folder = ?"),
      production: db.prepare("SELECT * FROM models WHERE name = ? AND stage = 'production'"),
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

  async find(id: number): Promise<ModelVersion | undefined> {
    const row = this.statements.byId.get(id);
    return row === undefined ? undefined : this.toRecord(row);
  }

  async byFolder(folder: string): Promise<ModelVersion | undefined> {
    const row = this.statements.byFolder.get(this.storedFolder(folder));
    return row === undefined ? undefined : this.toRecord(row);
  }

  async productionOf(name: string): Promise<ModelVersion | undefined> {
    const row = this.statements.production.get(name);
    return row === undefined ? undefined : this.toRecord(row);
  }

  async all(): Promise<ModelVersion[]> {
    return this.statements.all.all().map((row) => this.toRecord(row));
  }

  async names(): Promise<string[]> {
    return this.statements.names.all() as string[];
  }

  async insertCandidate(model: NewModelRow): Promise<ModelVersion> {
    const { lastInsertRowid } = this.statements.insert.run({
      name: model.name,
      version: this.statements.nextVersion.get(model.name),
      created_at: model.created_at,
      artifact_folder: this.storedFolder(model.folder),
      onnx_sha256: model.onnx_sha256,
      metrics: JSON.stringify(model.metrics),
      config: JSON.stringify(model.config),
    });
    return this.toRecord(this.statements.byId.get(Number(lastInsertRowid)));
  }

  async archive(id: number): Promise<void> {
    this.statements.archive.run(id);
  }

  async makeProduction(id: number, previousProductionId: number | null, at: string): Promise<void> {
    this.statements.makeProduction.run({
      id,
      previous_production_id: previousProductionId,
      promoted_at: at,
    });
  }
}
