import type { PoolClient } from "pg";
import { RegistryError } from "./errors.ts";

/**
 * The PostgreSQL schema, one step per version, the same tables as the SQLite file's plus model_files
 * (every artifact file as bytes, with its sha256), so no server needs the disk the model was trained on.
 * Append new steps; never edit one that has shipped.
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE models (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL CHECK (length(name) > 0),
    version integer NOT NULL CHECK (version >= 1),
    stage text NOT NULL CHECK (stage IN ('candidate', 'production', 'archived')),
    created_at text NOT NULL,
    promoted_at text,
    previous_production_id integer REFERENCES models(id),
    -- where the artifact was saved when it was registered: identifies it, never read from
    artifact_folder text NOT NULL UNIQUE,
    onnx_sha256 text NOT NULL,
    metrics jsonb NOT NULL,
    config jsonb NOT NULL,
    UNIQUE (name, version)
  );
  CREATE UNIQUE INDEX models_one_production_per_name ON models(name) WHERE stage = 'production';

  CREATE TABLE model_files (
    model_id integer NOT NULL REFERENCES models(id),
    file_name text NOT NULL,
    content bytea NOT NULL,
    sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    PRIMARY KEY (model_id, file_name)
  );

  CREATE TABLE training_runs (
    id text PRIMARY KEY,
    scope text NOT NULL CHECK (scope IN ('global', 'per_series')),
    status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    progress jsonb,
    created_at text NOT NULL,
    started_at text,
    ended_at text,
    error text
  );
  CREATE UNIQUE INDEX training_runs_one_active_per_scope ON training_runs(scope)
    WHERE status IN ('queued', 'running');

  CREATE TABLE training_run_models (
    run_id text NOT NULL REFERENCES training_runs(id),
    model_id integer NOT NULL REFERENCES models(id),
    PRIMARY KEY (run_id, model_id)
  );
  `,
];

/** Any constant: the advisory lock every migration (and every registry write) holds. */
export const REGISTRY_LOCK = 7_110_402;

/**
 * Brings the database up to the last step, all in one transaction under the registry's advisory lock, so
 * two servers starting at once migrate it once and a failed step leaves it as it was.
 */
export async function applyPostgresMigrations(client: PoolClient, location: string): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1)", [REGISTRY_LOCK]);
    await client.query("CREATE TABLE IF NOT EXISTS salescast_schema (version integer NOT NULL)");
    const { rows } = await client.query<{ version: number }>("SELECT version FROM salescast_schema");
    if (rows.length === 0) await client.query("INSERT INTO salescast_schema (version) VALUES (0)");
    const found = rows[0]?.version ?? 0;
    if (found > POSTGRES_MIGRATIONS.length) {
      throw new RegistryError(
        `${location} has registry schema version ${found}, newer than this salescast knows (${POSTGRES_MIGRATIONS.length})`,
        "invalid",
      );
    }
    for (const step of POSTGRES_MIGRATIONS.slice(found)) await client.query(step);
    await client.query("UPDATE salescast_schema SET version = $1", [POSTGRES_MIGRATIONS.length]);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  }
}
