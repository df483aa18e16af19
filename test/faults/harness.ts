import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { type Config, loadConfig } from "../../src/config/index.ts";
import { SalesForecaster } from "../../src/forecast/index.ts";
import type { Registry } from "../../src/registry/index.ts";
import { CliProcess, cleanEnv } from "../server/cli-process.ts";
import { CONFIG_FILE, SALES_CSV } from "../server/trained-models.ts";

export const TOKEN = "fault-suite-admin-token";
export const AUTH = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };

/** A fresh folder for one fault scenario: its registry file, its artifacts and the overrides naming them. */
export function scenario(extra: readonly string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), "salescast-faults-"));
  const overrides = [
    `data.csv_path=${JSON.stringify(SALES_CSV)}`,
    `paths.artifacts=${JSON.stringify(join(dir, "artifacts"))}`,
    `registry.path=${JSON.stringify(join(dir, "registry.db"))}`,
    "train.max_epochs=1",
    "model.lstm_hidden=16",
    "model.conv_channels=8",
    `server.admin_token=${TOKEN}`,
    ...extra,
  ];
  const config: Config = loadConfig(CONFIG_FILE, overrides, {});
  return { dir, overrides, config };
}

/** `salescast serve` on a free loopback port with these overrides, as its own process. */
export function startServe(overrides: readonly string[]): CliProcess {
  return new CliProcess(
    ["serve", "--host", "127.0.0.1", "--port", "0", "--config", CONFIG_FILE, ...overrides],
    cleanEnv({ SALESCAST_ADMIN_TOKEN: "" }),
  );
}

/** SQLite's own check of the whole file: "ok", or what is wrong. */
export function integrityCheck(path: string): string {
  const db = new Database(path, { readonly: true });
  try {
    return (db.pragma("integrity_check") as { integrity_check: string }[])
      .map((r) => r.integrity_check)
      .join("; ");
  } finally {
    db.close();
  }
}

/** Every registered version's folder, loaded and checked as the server loads it; the ids that do not load, with why. */
export async function unloadableVersions(registry: Registry, known: Set<number>): Promise<string[]> {
  const problems: string[] = [];
  for (const model of await registry.list()) {
    if (known.has(model.id)) continue;
    try {
      const forecaster = await SalesForecaster.load(model.folder, { version: `v${model.version}` });
      await forecaster.close();
      known.add(model.id);
    } catch (error) {
      problems.push(`${model.name} v${model.version} (id ${model.id}): ${(error as Error).message}`);
    }
  }
  return problems;
}

/** A small deterministic generator (mulberry32), so a failing run can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
