import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Config, loadConfig } from "../../src/config/index.ts";
import { SalesForecaster } from "../../src/forecast/index.ts";
import { type ModelVersion, Registry } from "../../src/registry/index.ts";
import {
  buildApp,
  createMetrics,
  type SalescastMetrics,
  type ServerApp,
  ServingModels,
} from "../../src/server/index.ts";
import { silentProgress } from "../../src/train/index.ts";
import { trainAndRegister } from "../../src/train/register.ts";
import { CONFIG_FILE, SALES_CSV } from "./trained-models.ts";

export const ADMIN_TOKEN = "test-admin-token-7f3a";
export const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };

/**
 * The bundled config with a small one-epoch model, the bundled data, the artifacts and the registry file in
 * `dir`, and an admin token.
 */
export function registryConfig(dir: string, overrides: readonly string[] = []): Config {
  return loadConfig(
    CONFIG_FILE,
    [
      `data.csv_path=${JSON.stringify(SALES_CSV)}`,
      `paths.artifacts=${JSON.stringify(join(dir, "artifacts"))}`,
      `registry.path=${JSON.stringify(join(dir, "registry.db"))}`,
      "train.max_epochs=1",
      "model.lstm_hidden=16",
      "model.conv_channels=8",
      `server.admin_token=${ADMIN_TOKEN}`,
      ...overrides,
    ],
    {},
  );
}

/**
 * Trains and registers one global version per seed. The highway is off here: its warm start is the same
 * ridge solution for every seed, so only without it do different seeds surely give different weights.
 */
export async function trainVersions(
  config: Config,
  registry: Registry,
  seeds: number[],
): Promise<ModelVersion[]> {
  const versions: ModelVersion[] = [];
  for (const seed of seeds) {
    const seeded = {
      ...config,
      // The network alone serves the window routes, so two seeds give two different models.
      model: { ...config.model, highway: false, members: ["network" as const] },
      train: { ...config.train, seed },
    };
    const result = await trainAndRegister(seeded, { registry, progress: silentProgress });
    versions.push(...result.models.map((model) => model.registration.model));
  }
  return versions;
}

/** A version's forecaster loaded on its own, as the reference for what it answers. */
export function loadVersion(model: ModelVersion, config: Config): Promise<SalesForecaster> {
  return SalesForecaster.load(model.folder, {
    clipNegative: config.forecast.clip_negative,
    version: `v${model.version}`,
  });
}

export interface RegistryServer {
  dir: string;
  config: Config;
  registry: Registry;
  models: ServingModels;
  metrics: SalescastMetrics;
  app: ServerApp;
  close(): Promise<void>;
}

/** A temp folder with a registry (promotion policy as `overrides` say) and nothing trained yet. */
export async function openRegistry(overrides: readonly string[] = []): Promise<{
  dir: string;
  config: Config;
  registry: Registry;
}> {
  const dir = mkdtempSync(join(tmpdir(), "salescast-registry-api-"));
  const config = registryConfig(dir, overrides);
  return { dir, config, registry: await Registry.open(config.registry) };
}

/** The app over the registry, its production versions loaded, as `salescast serve` builds it. */
export async function startServer(dir: string, config: Config, registry: Registry): Promise<RegistryServer> {
  const models = new ServingModels({ microBatchMax: config.server.micro_batch_max });
  const metrics = createMetrics();
  const app = await buildApp({ config, models, registry, metrics });
  await app.loadServingModels();
  await app.ready();
  return {
    dir,
    config,
    registry,
    models,
    metrics,
    app,
    async close() {
      await app.close();
      await registry.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Samples of one metric family in Prometheus text, as `labels-json → value`. */
export function samples(text: string, name: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    found.set(match[2] ?? "", Number(match[3]));
  }
  return found;
}

/** Polls `check` until it returns a value, or throws after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
  intervalMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
