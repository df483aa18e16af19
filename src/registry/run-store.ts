import { randomUUID } from "node:crypto";
import type { Database } from "better-sqlite3";
import { z } from "zod";
import { RegistryError } from "./errors.ts";
import {
  jsonColumn,
  RUN_STATUSES,
  type RunOutcome,
  type RunProgress,
  runProgressSchema,
  type TrainingRun,
  type TrainScope,
} from "./records.ts";

const runRowSchema = z.object({
  id: z.string(),
  scope: z.enum(["global", "per_series"]),
  status: z.enum(RUN_STATUSES),
  progress: jsonColumn(runProgressSchema).nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  ended_at: z.string().nullable(),
  error: z.string().nullable(),
});

const ACTIVE = "status IN ('queued', 'running')";

/** The SQL of training runs; like ModelStore, the Registry wraps each operation in a transaction. */
export class RunStore {
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

  get(id: string): TrainingRun {
    const row = this.statements.byId.get(id);
    if (row === undefined) throw new RegistryError(`no training run with id '${id}'`, "not_found");
    return this.toRecord(row);
  }

  active(scope: TrainScope): TrainingRun | undefined {
    const row = this.statements.active.get(scope);
    return row === undefined ? undefined : this.toRecord(row);
  }

  allActive(): TrainingRun[] {
    return this.statements.allActive.all().map((row) => this.toRecord(row));
  }

  create(scope: TrainScope, at: string): TrainingRun {
    const active = this.active(scope);
    if (active !== undefined) {
      throw new RegistryError(
        `a ${scope} training run is already ${active.status} (run ${active.id}); one at a time per scope`,
        "conflict",
      );
    }
    const id = randomUUID();
    this.statements.insert.run(id, scope, at);
    return this.get(id);
  }

  start(id: string, at: string): TrainingRun {
    const run = this.get(id);
    if (run.status !== "queued") {
      throw new RegistryError(`training run ${id} is ${run.status}; only a queued run can start`, "invalid");
    }
    this.statements.start.run(at, id);
    return this.get(id);
  }

  setProgress(id: string, progress: RunProgress): void {
    const run = this.get(id);
    if (run.status !== "running") {
      throw new RegistryError(
        `training run ${id} is ${run.status}; only a running run takes progress`,
        "invalid",
      );
    }
    this.statements.progress.run(JSON.stringify(runProgressSchema.parse(progress)), id);
  }

  /** `modelExists` checks each produced id first, so an unknown one is named rather than a foreign-key error. */
  finish(
    id: string,
    outcome: RunOutcome,
    at: string,
    modelExists: (modelId: number) => boolean,
  ): TrainingRun {
    const run = this.get(id);
    if (run.status === "succeeded" || run.status === "failed") {
      throw new RegistryError(`training run ${id} has already ${run.status}`, "invalid");
    }
    const modelIds = outcome.modelIds ?? [];
    const unknown = modelIds.filter((modelId) => !modelExists(modelId));
    if (unknown.length > 0) {
      throw new RegistryError(
        `training run ${id} names unknown model ids ${unknown.join(", ")}`,
        "not_found",
      );
    }
    for (const modelId of modelIds) this.statements.addModel.run(id, modelId);
    this.statements.finish.run(outcome.status, outcome.status === "failed" ? outcome.error : null, at, id);
    return this.get(id);
  }
}
