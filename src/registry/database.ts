import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { RegistryError } from "./errors.ts";
import { applyMigrations, MIGRATIONS } from "./migrations.ts";

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
