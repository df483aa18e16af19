import type { PoolClient } from "pg";
import { type ArtifactFiles, sha256Hex } from "../artifact/index.ts";
import type { ModelRows, NewModelRow, RunRows } from "./backend.ts";
import type { ModelVersion, RunProgress, RunStatus, TrainingRun, TrainScope } from "./records.ts";
import { modelRowSchema, runRowSchema } from "./row-schemas.ts";

/** The channel a promotion or rollback is announced on, when its transaction commits. */
export const PRODUCTION_CHANNEL = "salescast_production";

const toModel = (row: unknown): ModelVersion => {
  const { artifact_folder, ...rest } = modelRowSchema.parse(row);
  return { ...rest, folder: artifact_folder };
};

/** The SQL of the models table (and its files) in PostgreSQL, on the client of one transaction. */
export class PostgresModelRows implements ModelRows {
  constructor(private readonly client: PoolClient) {}

  private async one(sql: string, values: unknown[]): Promise<ModelVersion | undefined> {
    const { rows } = await this.client.query(sql, values);
    return rows.length === 0 ? undefined : toModel(rows[0]);
  }

  find(id: number): Promise<ModelVersion | undefined> {
    return this.one("SELECT * FROM models WHERE id = $1", [id]);
  }

  byFolder(folder: string): Promise<ModelVersion | undefined> {
    return this.one("SELECT * FROM models WHERE artifact_folder = $1", [folder]);
  }

  productionOf(name: string): Promise<ModelVersion | undefined> {
    return this.one("SELECT * FROM models WHERE name = $1 AND stage = 'production'", [name]);
  }

  async all(): Promise<ModelVersion[]> {
    const { rows } = await this.client.query("SELECT * FROM models ORDER BY name, version");
    return rows.map(toModel);
  }

  async names(): Promise<string[]> {
    const { rows } = await this.client.query<{ name: string }>(
      "SELECT DISTINCT name FROM models ORDER BY name",
    );
    return rows.map((row) => row.name);
  }

  async insertCandidate(model: NewModelRow, files: ArtifactFiles): Promise<ModelVersion> {
    const { rows } = await this.client.query(
      `INSERT INTO models (name, version, stage, created_at, artifact_folder, onnx_sha256, metrics, config)
       SELECT $1, coalesce(max(version), 0) + 1, 'candidate', $2, $3, $4, $5, $6 FROM models WHERE name = $1
       RETURNING *`,
      [
        model.name,
        model.created_at,
        model.folder,
        model.onnx_sha256,
        JSON.stringify(model.metrics),
        JSON.stringify(model.config),
      ],
    );
    const inserted = toModel(rows[0]);
    for (const [name, content] of files) {
      await this.client.query(
        "INSERT INTO model_files (model_id, file_name, content, sha256) VALUES ($1, $2, $3, $4)",
        [
          inserted.id,
          name,
          Buffer.from(content.buffer, content.byteOffset, content.byteLength),
          sha256Hex(content),
        ],
      );
    }
    return inserted;
  }

  async archive(id: number): Promise<void> {
    await this.client.query("UPDATE models SET stage = 'archived' WHERE id = $1", [id]);
  }

  async makeProduction(id: number, previousProductionId: number | null, at: string): Promise<void> {
    await this.client.query(
      `UPDATE models SET stage = 'production', promoted_at = $2, previous_production_id = $3 WHERE id = $1`,
      [id, at, previousProductionId],
    );
    await this.client.query("SELECT pg_notify($1, $2)", [PRODUCTION_CHANNEL, String(id)]);
  }

  /** Every file of version `id`, each checked against the sha256 stored beside it. */
  async files(id: number, label: string): Promise<Map<string, Uint8Array>> {
    const { rows } = await this.client.query<{ file_name: string; content: Buffer; sha256: string }>(
      "SELECT file_name, content, sha256 FROM model_files WHERE model_id = $1",
      [id],
    );
    const files = new Map<string, Uint8Array>();
    for (const row of rows) {
      const content = new Uint8Array(row.content.buffer, row.content.byteOffset, row.content.byteLength);
      const actual = sha256Hex(content);
      if (actual !== row.sha256) {
        throw new Error(
          `${label}/${row.file_name} does not match its stored checksum (expected ${row.sha256}, got ${actual})`,
        );
      }
      files.set(row.file_name, content);
    }
    return files;
  }
}

const ACTIVE = "status IN ('queued', 'running')";

/** The SQL of training runs in PostgreSQL, on the client of one transaction. */
export class PostgresRunRows implements RunRows {
  constructor(private readonly client: PoolClient) {}

  private async toRecords(rows: unknown[]): Promise<TrainingRun[]> {
    const runs: TrainingRun[] = [];
    for (const row of rows) {
      const run = runRowSchema.parse(row);
      const ids = await this.client.query<{ model_id: number }>(
        "SELECT model_id FROM training_run_models WHERE run_id = $1 ORDER BY model_id",
        [run.id],
      );
      runs.push({ ...run, model_ids: ids.rows.map((r) => r.model_id) });
    }
    return runs;
  }

  private async one(sql: string, values: unknown[]): Promise<TrainingRun | undefined> {
    const { rows } = await this.client.query(sql, values);
    return (await this.toRecords(rows))[0];
  }

  find(id: string): Promise<TrainingRun | undefined> {
    return this.one("SELECT * FROM training_runs WHERE id = $1", [id]);
  }

  active(scope: TrainScope): Promise<TrainingRun | undefined> {
    return this.one(`SELECT * FROM training_runs WHERE scope = $1 AND ${ACTIVE}`, [scope]);
  }

  async allActive(): Promise<TrainingRun[]> {
    const { rows } = await this.client.query(`SELECT * FROM training_runs WHERE ${ACTIVE}`);
    return this.toRecords(rows);
  }

  async insert(id: string, scope: TrainScope, at: string): Promise<void> {
    await this.client.query(
      "INSERT INTO training_runs (id, scope, status, created_at) VALUES ($1, $2, 'queued', $3)",
      [id, scope, at],
    );
  }

  async start(id: string, at: string): Promise<void> {
    await this.client.query("UPDATE training_runs SET status = 'running', started_at = $2 WHERE id = $1", [
      id,
      at,
    ]);
  }

  async setProgress(id: string, progress: RunProgress): Promise<void> {
    await this.client.query("UPDATE training_runs SET progress = $2 WHERE id = $1", [
      id,
      JSON.stringify(progress),
    ]);
  }

  async finish(id: string, status: RunStatus, error: string | null, at: string): Promise<void> {
    await this.client.query("UPDATE training_runs SET status = $2, error = $3, ended_at = $4 WHERE id = $1", [
      id,
      status,
      error,
      at,
    ]);
  }

  async addModel(runId: string, modelId: number): Promise<void> {
    await this.client.query(
      "INSERT INTO training_run_models (run_id, model_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
      [runId, modelId],
    );
  }
}
