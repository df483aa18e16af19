import { SalesForecaster } from "../forecast/index.ts";
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
 * serving one. A ref that fails to load is logged and skipped, and a failing source leaves `models` as they
 * were: a bad model file never takes the server down.
 */
export async function loadModels(
  source: ModelSource,
  models: ServingModels,
  { clipNegative, log }: LoadOptions,
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
    try {
      await models.replace(await loadForecaster(ref, clipNegative));
      done.add(ref.name);
      report.loaded.push(ref);
      log.info(`serving model ${ref.name} version ${ref.version} from ${ref.folder}`);
    } catch (error) {
      const reason = (error as Error).message;
      report.failed.push({ ref, reason });
      log.warn(`cannot load model ${ref.name} version ${ref.version}: ${reason}`);
    }
  }
  return report;
}
