import { SalesForecaster } from "../forecast/index.ts";
import type { SalescastMetrics } from "./metrics.ts";
import type { ModelRef, ModelSource } from "./model-source.ts";
import type { ServingModels } from "./serving-models.ts";

export interface LoadLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface LoadOptions {
  clipNegative: boolean;
  log: LoadLog;
  /** Where a ref that fails to load is counted. */
  metrics?: Pick<SalescastMetrics, "modelLoadFailures">;
}

export interface LoadReport {
  loaded: ModelRef[];
  failed: { ref: ModelRef; reason: string }[];
}

async function loadForecaster(ref: ModelRef, clipNegative: boolean): Promise<SalesForecaster> {
  const forecaster = await SalesForecaster.load(ref.folder, { clipNegative, version: ref.version });
  if (forecaster.info.name !== ref.name) {
    await forecaster.close();
    throw new Error(`the folder holds model '${forecaster.info.name}', not '${ref.name}'`);
  }
  return forecaster;
}

/**
 * Loads what `source` offers into `models`: for each model name, the first ref that loads replaces the
 * serving one, and a ref that already serves (same name and version) is kept as it is, so loading again
 * from the same source swaps only what changed. A ref that fails to load is logged, counted and skipped
 * (the next ref of its name, or the serving model, stays), and a failing source leaves `models` as they
 * were: a bad model file never takes the server down.
 */
export async function loadModels(
  source: ModelSource,
  models: ServingModels,
  { clipNegative, log, metrics }: LoadOptions,
): Promise<LoadReport> {
  const report: LoadReport = { loaded: [], failed: [] };
  let refs: ModelRef[];
  try {
    refs = await source();
  } catch (error) {
    log.error(`cannot list the models to serve: ${(error as Error).message}`);
    return report;
  }
  const done = new Set<string>();
  for (const ref of refs) {
    if (done.has(ref.name)) continue;
    if (models.get(ref.name)?.info.version === ref.version) {
      done.add(ref.name);
      continue;
    }
    try {
      await models.replace(await loadForecaster(ref, clipNegative), ref.id);
      done.add(ref.name);
      report.loaded.push(ref);
      log.info(`serving model ${ref.name} version ${ref.version} from ${ref.folder}`);
    } catch (error) {
      const reason = (error as Error).message;
      report.failed.push({ ref, reason });
      metrics?.modelLoadFailures.inc({ model: ref.name });
      log.warn(`cannot load model ${ref.name} version ${ref.version}: ${reason}`);
    }
  }
  return report;
}
