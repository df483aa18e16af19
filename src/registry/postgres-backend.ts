import pg from "pg";
import { type Artifact, artifactFromFiles } from "../artifact/index.ts";
import { redactUrl } from "../config/index.ts";
import type { RegistryBackend, RegistryTransaction, Unwatch, WatchOptions } from "./backend.ts";
import { RegistryError } from "./errors.ts";
import { applyPostgresMigrations, REGISTRY_LOCK } from "./postgres-migrations.ts";
import { PostgresModelRows, PostgresRunRows, PRODUCTION_CHANNEL } from "./postgres-rows.ts";
import type { ModelVersion } from "./records.ts";

/** After a lost LISTEN connection, how long to wait before connecting again. */
const RECONNECT_MS = 1000;

const transactionOf = (client: pg.PoolClient): RegistryTransaction => ({
  models: new PostgresModelRows(client),
  runs: new PostgresRunRows(client),
});

/**
 * The registry in a PostgreSQL database, model files included (bytea), so any number of servers on any
 * machines share it with no shared disk. Every write holds one advisory lock for its transaction, so
 * writers serialize as SQLite's do and the version numbering and the checks before a change stay
 * exact; the partial unique index still guarantees one production version per name.
 */
export class PostgresBackend implements RegistryBackend {
  constructor(
    private readonly pool: pg.Pool,
    private readonly url: string,
    readonly location: string,
  ) {}

  private async transaction<T>(
    begin: string,
    work: (tx: RegistryTransaction) => Promise<T>,
    lock: boolean,
  ): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query(begin);
      try {
        if (lock) await client.query("SELECT pg_advisory_xact_lock($1)", [REGISTRY_LOCK]);
        const result = await work(transactionOf(client));
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      }
    } finally {
      client.release();
    }
  }

  write<T>(work: (tx: RegistryTransaction) => Promise<T>): Promise<T> {
    return this.transaction("BEGIN", work, true);
  }

  /** One snapshot: a read of several queries sees one state of the database. */
  read<T>(work: (tx: RegistryTransaction) => Promise<T>): Promise<T> {
    return this.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", work, false);
  }

  async artifact(model: ModelVersion): Promise<Artifact> {
    const label = `${this.location}#model-${model.id}`;
    const client = await this.pool.connect();
    try {
      const files = await new PostgresModelRows(client).files(model.id, label);
      return artifactFromFiles(label, files);
    } finally {
      client.release();
    }
  }

  /**
   * LISTENs on a connection of its own: a promotion's NOTIFY arrives when its transaction commits. A lost
   * connection is reported, reconnected, and followed by one call of `listener`, since a change may have
   * gone unheard meanwhile.
   */
  watch(listener: () => void, options: WatchOptions): Unwatch {
    let client: pg.Client | undefined;
    let stopped = false;
    let retry: NodeJS.Timeout | undefined;
    const connect = async (missedSome: boolean) => {
      const next = new pg.Client({ connectionString: this.url });
      next.on("notification", () => listener());
      next.on("error", (error) => {
        options.onError(new Error(`lost the registry's LISTEN connection: ${error.message}`));
        next.end().catch(() => {});
        if (!stopped) retry = setTimeout(() => void connect(true), RECONNECT_MS);
      });
      try {
        await next.connect();
        await next.query(`LISTEN ${PRODUCTION_CHANNEL}`);
      } catch (error) {
        options.onError(new Error(`cannot LISTEN on ${this.location}: ${(error as Error).message}`));
        next.end().catch(() => {});
        if (!stopped) retry = setTimeout(() => void connect(true), RECONNECT_MS);
        return;
      }
      if (stopped) {
        await next.end();
        return;
      }
      client = next;
      if (missedSome) listener();
    };
    void connect(false);
    return async () => {
      stopped = true;
      clearTimeout(retry);
      await client?.end().catch(() => {});
    };
  }

  async ping(): Promise<void> {
    await this.pool.query("SELECT 1");
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Connects to `url`, migrates the schema, and returns the backend; a clear error when the server is not there. */
export async function openPostgresBackend(url: string): Promise<PostgresBackend> {
  const location = redactUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // An idle client's lost connection is reported on the pool; the next query gets a fresh one.
  pool.on("error", () => {});
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    await pool.end().catch(() => {});
    throw new RegistryError(
      `cannot connect to the registry database ${location} (registry.url): ${(error as Error).message}`,
      "invalid",
    );
  }
  try {
    await applyPostgresMigrations(client, location);
  } catch (error) {
    client.release();
    await pool.end().catch(() => {});
    throw error;
  }
  client.release();
  return new PostgresBackend(pool, url, location);
}
