import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { type Artifact, readArtifact } from "../artifact/index.ts";
import type { RegistryBackend, RegistryTransaction, Unwatch, WatchOptions } from "./backend.ts";
import { RegistryError } from "./errors.ts";
import { applyMigrations, MIGRATIONS } from "./migrations.ts";
import type { ModelVersion } from "./records.ts";
import { SqliteModelRows } from "./sqlite-model-rows.ts";
import { SqliteRunRows } from "./sqlite-run-rows.ts";

/** How long a write waits for another process's transaction before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

/** Opens (or creates, with its folder) the registry file and brings its schema up to date. */
export function openDatabase(path: string): Database.Database {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
  try {
    // WAL: readers (the server) never wait for a writer (a training run), and a killed writer leaves
    // the file consistent. FULL makes a finished promotion survive a power cut, not only a crash.
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.pragma("foreign_keys = ON");
    applyMigrations(db, MIGRATIONS, path);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof Database.SqliteError && error.code === "SQLITE_NOTADB") {
      throw new RegistryError(`${path} is not a registry database (not an SQLite file)`, "invalid");
    }
    throw error;
  }
}

/**
 * Every SQLite operation of this process, one after another. A write spans awaits between BEGIN IMMEDIATE
 * and COMMIT; were a second connection of the same process to begin meanwhile, its busy wait would block
 * the thread the first one needs to commit.
 */
let queue: Promise<unknown> = Promise.resolve();

/**
 * The registry in one SQLite file, the artifact folders beside it on disk. A write is BEGIN IMMEDIATE
 * (other processes' writers wait for it) to COMMIT with no other operation of this process in between.
 */
export class SqliteBackend implements RegistryBackend {
  private readonly tx: RegistryTransaction;

  constructor(
    private readonly db: Database.Database,
    readonly location: string,
  ) {
    this.tx = { models: new SqliteModelRows(db, dirname(location)), runs: new SqliteRunRows(db) };
  }

  static open(path: string): SqliteBackend {
    return new SqliteBackend(openDatabase(path), path);
  }

  private serialize<T>(operation: () => Promise<T>): Promise<T> {
    const run = queue.then(operation);
    queue = run.catch(() => {});
    return run;
  }

  write<T>(work: (tx: RegistryTransaction) => Promise<T>): Promise<T> {
    return this.serialize(async () => {
      this.db.exec("BEGIN IMMEDIATE");
      try {
        const result = await work(this.tx);
        this.db.exec("COMMIT");
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec("ROLLBACK");
        throw error;
      }
    });
  }

  read<T>(work: (tx: RegistryTransaction) => Promise<T>): Promise<T> {
    return this.serialize(() => work(this.tx));
  }

  async artifact(model: ModelVersion): Promise<Artifact> {
    return readArtifact(model.folder);
  }

  /**
   * Polls SQLite's data_version, which changes when another connection (another process) commits to the
   * file: a cheap read that sees a promotion this process did not make.
   */
  watch(listener: () => void, options: WatchOptions): Unwatch {
    let seen = this.dataVersion();
    const timer = setInterval(() => {
      try {
        const version = this.dataVersion();
        if (version === seen) return;
        seen = version;
        listener();
      } catch (error) {
        options.onError(error as Error);
      }
    }, options.pollMs);
    timer.unref();
    return async () => clearInterval(timer);
  }

  private dataVersion(): number {
    return this.db.pragma("data_version", { simple: true }) as number;
  }

  async ping(): Promise<void> {
    this.db.prepare("SELECT 1").get();
  }

  close(): Promise<void> {
    return this.serialize(async () => {
      this.db.close();
    });
  }
}
