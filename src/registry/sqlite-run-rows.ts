import type { Database } from "better-sqlite3";
import type { RunRows } from "./backend.ts";
import type { RunProgress, RunStatus, TrainingRun, TrainScope } from "./records.ts";
import { runRowSchema } from "./row-schemas.ts";

const ACTIVE = "status IN ('queued', 'running')";

/** The SQL of training runs in SQLite; like SqliteModelRows, inside the backend's transactions. */
export class SqliteRunRows implements RunRows {
  private readonly statements;

  constructor(db: Database) {
    this.statements = {
      byId: db.prepare("SELECT * FROM training_runs WHERE id = ?"),
      active: db.prepare(`SELECT * FROM training_runs WHERE scope = ? AND ${ACTIVE}`),
      allActive: db.prepare(`SELECT * FROM training_runs WHERE ${ACTIVE}`),
      modelIds: db
        .prepare("SELECT model_id FROM training_run_models WHERE run_id = ? ORDER BY model_id")
        .pluck(),
      insert: db.prepare(
        "INSERT INTO training_runs (id, scope, status, created_at) VALUES (?, ?, 'queued', ?)",
      ),
      start: db.prepare("UPDATE training_runs SET status = 'running', started_at = ? WHERE id = ?"),
      progress: db.prepare("UPDATE training_runs SET progress = ? WHERE id = ?"),
      finish: db.prepare("UPDATE training_runs SET status = ?, error = ?, ended_at = ? WHERE id = ?"),
      addModel: db.prepare("INSERT OR IGNORE INTO training_run_models (run_id, model_id) VALUES (?, ?)"),
    };
  }

  private toRecord(row: unknown): TrainingRun {
    const run = runRowSchema.parse(row);
    return { ...run, model_ids: this.statements.modelIds.all(run.id) as number[] };
  }

  async find(id: string): Promise<TrainingRun | undefined> {
    const row = this.statements.byId.get(id);
    return row === undefined ? undefined : this.toRecord(row);
  }

  async active(scope: TrainScope): Promise<TrainingRun | undefined> {
    const row = this.statements.active.get(scope);
    return row === undefined ? undefined : this.toRecord(row);
  }

  async allActive(): Promise<TrainingRun[]> {
    return this.statements.allActive.all().map((row) => this.toRecord(row));
  }

  async insert(id: string, scope: TrainScope, at: string): Promise<void> {
    this.statements.insert.run(id, scope, at);
  }

  async start(id: string, at: string): Promise<void> {
    this.statements.start.run(at, id);
  }

  async setProgress(id: string, progress: RunProgress): Promise<void> {
    this.statements.progress.run(JSON.stringify(progress), id);
  }

  async finish(id: string, status: RunStatus, error: string | null, at: string): Promise<void> {
    this.statements.finish.run(status, error, at, id);
  }

  async addModel(runId: string, modelId: number): Promise<void> {
    this.statements.addModel.run(runId, modelId);
  }
}
