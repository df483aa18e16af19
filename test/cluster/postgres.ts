import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import pg from "pg";
import { inject } from "vitest";
import type { SalesForecaster } from "../../src/forecast/index.ts";
import { loadVersion, openRegistry, trainVersions } from "../server/registry-server.ts";

/** A new, empty database on the suite's PostgreSQL: its URL. Each test gets its own. */
export async function emptyDatabase(): Promise<string> {
  const server = inject("postgresUrl");
  const name = `salescast_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * A new database with one global version trained per seed (the first promoted, the registry's policy manual),
 * the artifact folders deleted, so a server can only load the files from the database; each version's
 * forecaster loaded alone, as the reference for what it answers. The registry `trainer` stays open.
 */
export async function databaseWithVersions(seeds: readonly number[]) {
  const url = await emptyDatabase();
  const overrides = ["registry.promotion=manual", `registry.url=${JSON.stringify(url)}`];
  const trainer = await openRegistry(overrides);
  const versions = await trainVersions(trainer.config, trainer.registry, [...seeds]);
  await trainer.registry.promote(versions[0].id);
  const reference = new Map<number, SalesForecaster>();
  for (const version of versions) reference.set(version.id, await loadVersion(version, trainer.config));
  rmSync(trainer.config.paths.artifacts, { recursive: true, force: true });
  return { overrides, trainer, versions, reference };
}
