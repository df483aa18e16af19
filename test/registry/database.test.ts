import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { applyMigrations, MIGRATIONS, Registry, RegistryError } from "../../src/registry/index.ts";
import { closeAfterTest, fakeArtifact, tempDir } from "./fixtures.ts";

const tables = (db: Database.Database) =>
  db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();

describe("registry database", () => {
  it("creates the file and its folder, migrated, in WAL mode with foreign keys on", async () => {
    const path = join(tempDir(), "nested", "folder", "salescast.db");
    (await Registry.open({ path, promotion: "always" })).close();
    expect(existsSync(path)).toBe(true);
    const db = new Database(path);
    expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(tables(db)).toEqual(["models", "training_run_models", "training_runs"]);
    db.close();
  });

  it("migrates an existing empty file", async () => {
    const path = join(tempDir(), "empty.db");
    writeFileSync(path, "");
    const registry = await closeAfterTest(Registry.open({ path, promotion: "always" }));
    expect(await registry.list()).toEqual([]);
  });

  it("reopens an existing file with its rows and without re-running migrations", async () => {
    const dir = tempDir();
    const path = join(dir, "salescast.db");
    const first = await Registry.open({ path, promotion: "always" });
    const { model } = await first.register(fakeArtifact(join(dir, "artifacts"), "global", 1));
    await first.close();
    const again = await closeAfterTest(Registry.open({ path, promotion: "always" }));
    expect(await again.list()).toEqual([model]);
  });

  it("refuses a file with a newer schema than it knows", async () => {
    const path = join(tempDir(), "future.db");
    const db = new Database(path);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    await expect(Registry.open({ path, promotion: "always" })).rejects.toThrow(
      /registry schema version 2, newer than this salescast knows \(1\)/,
    );
  });

  it("refuses a file that is not SQLite", async () => {
    const path = join(tempDir(), "notes.db");
    writeFileSync(
      path,
      "this is not a database, just some text that is long enough to have a header".repeat(20),
    );
    await expect(Registry.open({ path, promotion: "always" })).rejects.toThrow(RegistryError);
    await expect(Registry.open({ path, promotion: "always" })).rejects.toThrow(
      /notes\.db is not a registry database/,
    );
  });

  it("applies each migration in its own transaction: a failing step leaves the earlier ones and no part of itself", async () => {
    const db = new Database(join(tempDir(), "steps.db"));
    const steps = [
      (d: Database.Database) => d.exec("CREATE TABLE a (x)"),
      (d: Database.Database) => {
        d.exec("CREATE TABLE b (x)");
        throw new Error("step 2 broke");
      },
    ];
    expect(() => applyMigrations(db, steps, "steps.db")).toThrow(/step 2 broke/);
    expect(db.pragma("user_version", { simple: true })).toBe(1);
    expect(tables(db)).toEqual(["a"]);
    applyMigrations(db, steps.slice(0, 1), "steps.db");
    expect(tables(db)).toEqual(["a"]);
    db.close();
  });
});
