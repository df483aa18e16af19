import type { Database } from "better-sqlite3";
import { RegistryError } from "./errors.ts";

export type Migration = (db: Database) => void;

/**
 * The schema, one step per version; PRAGMA user_version holds how many steps a file has had.
 * Append new steps; never edit one that has shipped.
 */
export const MIGRATIONS: readonly Migration[] = [
  (db) =>
    db.exec(`
      CREATE TABLE models (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL CHECK (length(name) > 0),
        version INTEGER NOT NULL CHECK (version >= 1),
        stage TEXT NOT NULL CHECK (stage IN ('candidate', 'production', 'archived')),
        created_at TEXT NOT NULL,
        promoted_at TEXT,
        -- the version that served before this one was last made production: where a rollback goes
        previous_production_id INTEGER REFERENCES models(id),
        -- relative to the database file's folder, so the two can move together
        artifact_folder TEXT NOT NULL UNIQUE,
        onnx_sha256 TEXT NOT NULL,
        metrics TEXT NOT NULL CHECK (json_valid(metrics)),
        config TEXT NOT NULL CHECK (json_valid(config)),
        UNIQUE (name, version)
      );
      CREATE UNIQUE INDEX models_one_production_per_name ON models(name) WHERE stage = 'production';

      CREATE TABLE training_runs (
        id TEXT PRIMARY KEY,
        scope TEXT NOT NULL CHECK (scope IN ('global', 'per_series')),
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
        progress TEXT CHECK (progress IS NULL OR json_valid(progress)),
        created_at TEXT NOT NULL,
        started_at TEXT,
        ended_at TEXT,
        error TEXT
      );
      CREATE UNIQUE INDEX training_runs_one_active_per_scope ON training_runs(scope)
        WHERE status IN ('queued', 'running');

      CREATE TABLE training_run_models (
        run_id TEXT NOT NULL REFERENCES training_runs(id),
        model_id INTEGER NOT NULL REFERENCES models(id),
        PRIMARY KEY (run_id, model_id)
      );
    `),
];

const schemaVersion = (db: Database) => db.pragma("user_version", { simple: true }) as number;

/**
 * Brings the file up to the last migration, each step in its own write transaction together with the
 * version bump, so a crash leaves the file at a whole step. The version is re-read inside each
 * transaction because another process may be migrating the same file.
 */
export function applyMigrations(db: Database, migrations: readonly Migration[], path: string): void {
  const found = schemaVersion(db);
  if (found > migrations.length) {
    throw new RegistryError(
      `${path} has registry schema version ${found}, newer than this salescast knows (${migrations.length})`,
      "invalid",
    );
  }
  migrations.forEach((migrate, index) => {
    const target = index + 1;
    db.transaction(() => {
      if (schemaVersion(db) >= target) return;
      migrate(db);
      db.pragma(`user_version = ${target}`);
    }).immediate();
  });
}
