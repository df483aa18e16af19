import { type Config, loadConfig } from "../config/index.ts";
import { ForecastInputError } from "../forecast/index.ts";
import { Registry, removeOrphanedArtifacts, removeStalePartials } from "../registry/index.ts";
import {
  backgroundSeriesCatalog,
  buildApp,
  checkAdminExposure,
  closeOnSignals,
  forecastBody,
  type Lease,
  type LoadLog,
  loadSeriesCatalog,
  ModelLoader,
  ModelUnavailableError,
  NO_MODEL_MESSAGE,
  resolveAdminToken,
  type SeriesCatalog,
  type ServerApp,
  ServerSetupError,
  ServingModels,
  withoutSecrets,
} from "../server/index.ts";
import { trainAndRegister } from "../train/register.ts";
import { UsageError } from "./errors.ts";
import { LOG_LEVELS } from "./serve-commands.ts";

export interface ServeFlags {
  config: string;
  port?: string;
  host?: string;
  trainIfMissing?: boolean;
  logLevel: string;
}

export interface PredictFlags {
  config: string;
  seriesId?: string;
  values: string;
}

/** --port and --host as config overrides, applied after the file, the environment and the other overrides. */
function listenOverrides({ port, host }: ServeFlags): string[] {
  const overrides: string[] = [];
  if (port !== undefined) {
    const value = Number(port);
    if (!/^\d+$/.test(port) || value > 65535) {
      throw new UsageError(`--port must be an integer from 0 to 65535, got '${port}'`);
    }
    overrides.push(`server.port=${value}`);
  }
  if (host !== undefined) {
    if (host === "") throw new UsageError("--host must not be empty");
    overrides.push(`server.host=${JSON.stringify(host)}`);
  }
  return overrides;
}

/**
 * The sales history for the dashboard's series routes, read in the background: the server listens and serves
 * forecasts meanwhile, and GET /api/series answers 503 until it is read (or says why it cannot be).
 */
function seriesCatalog(config: Config): { catalog: SeriesCatalog; logProblem: (log: LoadLog) => void } {
  const file = config.data.csv_path;
  // backgroundSeriesCatalog handles a rejection at once; the log hears of it once the server has one
  const loading = loadSeriesCatalog(config.data);
  return {
    catalog: backgroundSeriesCatalog(loading, file),
    logProblem: (log) => {
      loading.catch((error: Error) =>
        log.warn(`GET /api/series answers 503: cannot read ${file}: ${error.message}`),
      );
    },
  };
}

/**
 * Trains what the config asks and registers it, for a registry with nothing in production. A version the
 * promotion policy leaves a candidate (the manual policy) is promoted when its name has no production
 * version: the flag asks for a model to serve.
 */
async function trainFirstModels(config: Config, registry: Registry, log: LoadLog): Promise<void> {
  log.info(`no production model in ${registry.location}: training on ${config.data.csv_path}`);
  const trained = await trainAndRegister(withoutSecrets(config), { registry });
  for (const warning of trained.warnings) log.warn(warning);
  const serving = new Set((await registry.production()).map((model) => model.name));
  for (const { registration } of trained.models) {
    const { model } = registration;
    if (!registration.promoted && !serving.has(model.name)) {
      await registry.promote(model.id);
      serving.add(model.name);
      log.info(`promoted ${model.name} v${model.version}: --train-if-missing serves what it trains`);
    }
  }
}

/**
 * The config with the admin token resolved (from server.admin_token_file when only that is set), after
 * checking that the admin routes are not left open on an address other machines reach.
 */
function withAdminToken(config: Config): Config {
  try {
    const token = resolveAdminToken(config.server);
    checkAdminExposure(config.server, token);
    return { ...config, server: { ...config.server, admin_token: token } };
  } catch (error) {
    if (error instanceof ServerSetupError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * What a crash can leave in the artifacts folder, removed with a log line: unfinished `.partial` folders,
 * and complete folders no registry row names (saved, then killed before registering). Only folders older
 * than the longest a run may take, so a training still running in another process keeps its own.
 */
async function cleanArtifacts(config: Config, registry: Registry, log: LoadLog): Promise<void> {
  const root = config.paths.artifacts;
  for (const folder of removeStalePartials(root))
    log.warn(`removed ${folder}: an unfinished model folder left by a stopped training`);
  const maxAgeMs = config.train.limits.max_seconds * 1000;
  for (const folder of await removeOrphanedArtifacts(root, registry, maxAgeMs))
    log.warn(`removed ${folder}: a model folder no registry version names, left by a stopped training`);
}

export async function serve(overrides: string[], flags: ServeFlags): Promise<void> {
  if (!LOG_LEVELS.includes(flags.logLevel)) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(", ")}, got '${flags.logLevel}'`);
  }
  const config = withAdminToken(loadConfig(flags.config, [...overrides, ...listenOverrides(flags)]));
  const registry = await Registry.open(config.registry);
  const models = new ServingModels({ microBatchMax: config.server.micro_batch_max });
  let app: ServerApp | undefined;
  try {
    const logger = { level: flags.logLevel };
    // Replicas on one PostgreSQL registry: a run another replica carries out must not fail at this one's
    // start, but a run older than the budget of any run (train.limits.max_seconds) is running nowhere.
    const interrupted = await registry.failInterruptedRuns(
      config.registry.url
        ? { startedBefore: new Date(Date.now() - config.train.limits.max_seconds * 1000) }
        : {},
    );
    const { catalog, logProblem } = seriesCatalog(config);
    app = await buildApp({ config, models, registry, catalog, logger });
    logProblem(app.log);
    for (const run of interrupted)
      app.log.warn(`training run ${run.id} was cut off by a stop: marked failed`);
    await cleanArtifacts(config, registry, app.log);
    if ((await registry.production()).length === 0 && flags.trainIfMissing) {
      await trainFirstModels(config, registry, app.log);
    }
    await app.loadServingModels();
    if (models.size === 0) app.log.warn(NO_MODEL_MESSAGE);
    app.followRegistry();
    closeOnSignals(app, { afterClose: () => registry.close() });
    await app.listen({
      port: config.server.port,
      host: config.server.host,
      backlog: config.server.listen_backlog,
    });
  } catch (error) {
    await app?.close();
    await models.close();
    await registry.close();
    throw error;
  }
}

/** "1,2.5,3" → [1, 2.5, 3]; anything that is not a finite number is a usage error naming its position. */
function parseValues(text: string): number[] {
  return text.split(",").map((part, i) => {
    const value = Number(part);
    if (part.trim() === "" || !Number.isFinite(value)) {
      throw new UsageError(`--values: value ${i + 1} ('${part}') is not a finite number`);
    }
    return value;
  });
}

const stderrLog: LoadLog = {
  info: () => {},
  warn: (message) => process.stderr.write(`warning: ${message}\n`),
  error: (message) => process.stderr.write(`error: ${message}\n`),
};

/** The model the server would use for this forecast; when there is none, a usage error saying why. */
function chooseModel(models: ServingModels, seriesId: string | undefined): Lease {
  try {
    if (seriesId === undefined) return models.acquireDefault();
    const lease = models.acquireForSeries(seriesId);
    if (lease) return lease;
  } catch (error) {
    if (error instanceof ModelUnavailableError) throw new UsageError(error.message);
    throw error;
  }
  const known = [...new Set(models.list().flatMap((model) => model.forecaster.seriesIds))].sort();
  throw new UsageError(`no model serves series '${seriesId}' (known: ${known.join(", ")})`);
}

export async function predict(overrides: string[], flags: PredictFlags): Promise<void> {
  const values = parseValues(flags.values);
  const config = loadConfig(flags.config, overrides);
  const models = new ServingModels({ microBatchMax: 1 });
  const registry = await Registry.open(config.registry);
  try {
    const loader = new ModelLoader(registry, models, {
      clipNegative: config.forecast.clip_negative,
      log: stderrLog,
    });
    await loader.sync();
    const { seriesId } = flags;
    const lease = chooseModel(models, seriesId);
    try {
      const { forecaster } = lease.model;
      forecaster.validate({ values, seriesId }, "--values");
      const result = await forecaster.predict(values, seriesId);
      process.stdout.write(`${JSON.stringify(forecastBody(lease.model.info, result, seriesId), null, 2)}\n`);
    } catch (error) {
      if (error instanceof ForecastInputError) throw new UsageError(error.message);
      throw error;
    } finally {
      lease.release();
    }
  } finally {
    await models.close();
    await registry.close();
  }
}
