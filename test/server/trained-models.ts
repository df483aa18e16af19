import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Config, loadConfig } from "../../src/config/index.ts";
import { SalesForecaster } from "../../src/forecast/index.ts";
import { Registry } from "../../src/registry/index.ts";
import { ServingModels } from "../../src/server/index.ts";
import { silentProgress, trainFromConfig } from "../../src/train/index.ts";

export const CONFIG_FILE = fileURLToPath(new URL("../../config/config.yaml", import.meta.url));
export const SALES_CSV = fileURLToPath(new URL("../../data/sales_data.csv", import.meta.url));

/**
 * Real models trained for one epoch on the bundled data, in a temp artifacts folder, each registered (and, as
 * the first of its name, in production) in the registry file `registryPath` beside them.
 */
export interface TrainedModels {
  root: string;
  registryPath: string;
  config: Config;
  /** The global model over Beauty, Clothing and Electronics. */
  global: string;
  /** The per-series models of Beauty and Clothing. */
  beauty: string;
  clothing: string;
  remove(): void;
}

/** The registry file of a test's artifacts folder (a file, so the folder lists only artifact folders). */
export const registryFile = (root: string): string => join(root, "registry.db");

/**
 * Config overrides for a quick training run into `root` (artifacts, and the registry at registryFile(root)),
 * independent of the working directory.
 */
export function quickTrainOverrides(root: string): string[] {
  return [
    `paths.artifacts=${JSON.stringify(root)}`,
    `registry.path=${JSON.stringify(registryFile(root))}`,
    `data.csv_path=${JSON.stringify(SALES_CSV)}`,
    "train.max_epochs=1",
    // Series statistics, so the routes that scale by a series' stats have something to show.
    "data.normalization=series",
    // The network is the only window member, so it is what serves the window routes.
    "model.members=[seasonal_naive, network_on_linear]",
  ];
}

export async function trainTestModels(): Promise<TrainedModels> {
  const root = mkdtempSync(join(tmpdir(), "salescast-server-"));
  const config = loadConfig(CONFIG_FILE, quickTrainOverrides(root), {});
  const global = await trainFromConfig(config, { progress: silentProgress });
  const perSeriesConfig = loadConfig(
    CONFIG_FILE,
    [...quickTrainOverrides(root), "train.scope=per_series", "train.series=[Beauty, Clothing]"],
    {},
  );
  const perSeries = await trainFromConfig(perSeriesConfig, { progress: silentProgress });
  const [beauty, clothing] = perSeries.models.map((model) => model.artifact.folder);
  const registry = await Registry.open(config.registry);
  try {
    for (const { artifact } of [...global.models, ...perSeries.models]) await registry.register(artifact);
  } finally {
    await registry.close();
  }
  return {
    root,
    registryPath: registryFile(root),
    config,
    global: global.models[0].artifact.folder,
    beauty,
    clothing,
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

export function loadForecaster(folder: string, version = basename(folder)): Promise<SalesForecaster> {
  return SalesForecaster.load(folder, { version });
}

/** Serving models over these artifact folders, each versioned by its folder name. */
export async function serveFolders(folders: string[], microBatchMax = 64): Promise<ServingModels> {
  const models = new ServingModels({ microBatchMax });
  for (const folder of folders) await models.replace(await loadForecaster(folder));
  return models;
}

/** A window of 14 sales values, different for each `seed`. */
export function salesWindow(seed: number): number[] {
  return Array.from({ length: 14 }, (_, t) => 40 + ((seed * 37 + t * 53 + seed * t * 7) % 900));
}
