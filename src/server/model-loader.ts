/**
 * How the server's models get loaded, in one place: the registry says which versions are production, this
 * module loads them into the ServingModels (the in-memory table requests read), keeps them in step when
 * production changes (here over HTTP, or in another process: the CLI, a training worker, another replica),
 * and promotes or rolls back by loading the new version first and committing the stage change only once
 * it has loaded.
 */
import { SalesForecaster } from "../forecast/index.ts";
import type { ModelVersion, Registry, StageChange } from "../registry/index.ts";
import type { SalescastMetrics } from "./metrics.ts";
import type { ServingModels } from "./serving-models.ts";

/** One registered version the server may serve: its model name, version label and where it was saved. */
export interface ModelRef {
  name: string;
  version: string;
  folder: string;
  /** The registry's id of this version. */
  id: number;
}

export interface LoadLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface LoadReport {
  loaded: ModelRef[];
  failed: { ref: ModelRef; reason: string }[];
}

/** A version the registry prefers that could not be loaded, so an older one (or none) serves its name. */
export interface LoadFailure {
  name: string;
  version: string;
  id?: number;
  reason: string;
  /** When it last failed (ISO 8601). */
  at: string;
}

export interface ModelLoaderOptions {
  clipNegative: boolean;
  log: LoadLog;
  /** Where a version that fails to load is counted. */
  metrics?: Pick<SalescastMetrics, "modelLoadFailures">;
}

/** The part of the registry the loader reads and writes. */
export type LoaderRegistry = Pick<Registry, "list" | "get" | "artifact" | "promote" | "rollback" | "watch">;

/** A promotion refused because the version cannot serve; the registry was left as it was. */
export class UnloadableModelError extends Error {
  override name = "UnloadableModelError";
}

/** How a registry version is labelled where it serves: "v3". */
export const registryVersionLabel = (version: number): string => `v${version}`;

const refOf = (model: ModelVersion): ModelRef => ({
  name: model.name,
  version: registryVersionLabel(model.version),
  folder: model.folder,
  id: model.id,
});

/**
 * The registry's production version of each model name, each followed by the versions that served before
 * it (newest first): when the production version fails to load, the one it replaced keeps serving.
 */
export async function productionRefs(registry: Pick<Registry, "list">): Promise<ModelRef[]> {
  const all = await registry.list();
  const byId = new Map(all.map((model) => [model.id, model]));
  const refs: ModelRef[] = [];
  for (const production of all.filter((model) => model.stage === "production")) {
    const seen = new Set<number>();
    let model: ModelVersion | undefined = production;
    while (model !== undefined && !seen.has(model.id)) {
      seen.add(model.id);
      refs.push(refOf(model));
      model = model.previous_production_id === null ? undefined : byId.get(model.previous_production_id);
    }
  }
  return refs;
}

/**
 * Loads and checks one version: the artifact verifies, the ONNX model runs, and it is the model named. The
 * registry hands the files over (from the disk, or from the database into memory).
 */
async function loadForecaster(
  registry: LoaderRegistry,
  ref: ModelRef,
  clipNegative: boolean,
): Promise<SalesForecaster> {
  const artifact = await registry.artifact(ref.id);
  const forecaster = await SalesForecaster.fromArtifact(artifact, { clipNegative, version: ref.version });
  if (forecaster.info.name !== ref.name) {
    await forecaster.close();
    throw new Error(`the folder holds model '${forecaster.info.name}', not '${ref.name}'`);
  }
  return forecaster;
}

/**
 * Keeps `models` serving the registry's production versions. Every change goes through one queue, so a
 * poll, a promotion and a training run's end never interleave and the last change wins. A version that
 * fails to load is logged, counted and kept for GET /api/health, and the one before it keeps serving: a bad
 * model file never takes the server down.
 */
export class ModelLoader {
  private queue: Promise<unknown> = Promise.resolve();
  private lastFailures: LoadFailure[] = [];
  private unwatch: (() => Promise<void>) | undefined;

  constructor(
    private readonly registry: LoaderRegistry | undefined,
    private readonly models: ServingModels,
    private readonly options: ModelLoaderOptions,
  ) {}

  /** Loads the production versions that do not serve yet (all of them the first time). */
  sync(): Promise<LoadReport> {
    return this.enqueue(() => this.load());
  }

  /** The preferred versions that failed to load at the last sync, one per model name. */
  failures(): LoadFailure[] {
    return [...this.lastFailures];
  }

  /**
   * Follows the registry: syncs whenever another process may have changed production (SQLite: a look every
   * `intervalMs` at whether another connection committed; PostgreSQL: a NOTIFY at once).
   */
  startFollowing(intervalMs: number): void {
    if (this.registry === undefined || this.unwatch !== undefined) return;
    this.unwatch = this.registry.watch(
      () => {
        this.sync().catch((error: unknown) =>
          this.options.log.error(`cannot sync with the registry: ${(error as Error).message}`),
        );
      },
      {
        pollMs: intervalMs,
        onError: (error) => this.options.log.error(`cannot follow the registry: ${error.message}`),
      },
    );
  }

  async stopFollowing(): Promise<void> {
    const unwatch = this.unwatch;
    this.unwatch = undefined;
    await unwatch?.();
  }

  /**
   * Makes version `id` production: loads and checks it first, and only then records the stage change and
   * swaps it in. A version that fails to load is an UnloadableModelError and the registry is untouched.
   */
  promote(id: number): Promise<StageChange> {
    return this.enqueue(async () => {
      const registry = this.requireRegistry();
      const target = await registry.get(id);
      if (target.stage === "production") return registry.promote(id);
      const forecaster = await this.loadOrRefuse(registry, refOf(target), "promote");
      return this.commit(forecaster, target.id, () => registry.promote(id));
    });
  }

  /**
   * Puts back the version that served before the current production one of `name`: loads it first, then
   * records the rollback and swaps it in. The registry's own refusals (no such model, nothing to go back
   * to) are RegistryErrors, before anything loads.
   */
  rollback(name: string): Promise<StageChange> {
    return this.enqueue(async () => {
      const registry = this.requireRegistry();
      const current = (await registry.list()).find(
        (model) => model.name === name && model.stage === "production",
      );
      const previousId = current?.previous_production_id ?? null;
      // Without a version to go back to, the registry's rollback refuses with the reason.
      if (previousId === null) return registry.rollback(name);
      const previous = await registry.get(previousId);
      const forecaster = await this.loadOrRefuse(registry, refOf(previous), "roll back to");
      return this.commit(forecaster, previousId, () => registry.rollback(name));
    });
  }

  private requireRegistry(): LoaderRegistry {
    if (this.registry === undefined) throw new Error("the server has no registry");
    return this.registry;
  }

  private enqueue<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.queue.then(operation);
    this.queue = run.catch(() => {});
    return run;
  }

  private async loadOrRefuse(
    registry: LoaderRegistry,
    ref: ModelRef,
    verb: string,
  ): Promise<SalesForecaster> {
    try {
      return await loadForecaster(registry, ref, this.options.clipNegative);
    } catch (error) {
      const reason = (error as Error).message;
      this.options.metrics?.modelLoadFailures.inc({ model: ref.name });
      this.options.log.warn(`cannot ${verb} ${ref.name} ${ref.version}: ${reason}`);
      throw new UnloadableModelError(
        `cannot ${verb} ${ref.name} ${ref.version} (id ${ref.id}): it does not load: ${reason}`,
      );
    }
  }

  /**
   * Records the stage change, then serves the loaded model; when the registry refuses (another process got
   * there first), the loaded model is closed and what the registry says serves.
   */
  private async commit(
    forecaster: SalesForecaster,
    id: number,
    change: () => Promise<StageChange>,
  ): Promise<StageChange> {
    let committed: StageChange;
    try {
      committed = await change();
    } catch (error) {
      await forecaster.close();
      throw error;
    }
    if (committed.model.id === id) {
      await this.models.replace(forecaster, id);
      this.options.log.info(`serving model ${committed.model.name} v${committed.model.version}`);
    } else {
      await forecaster.close();
      await this.load();
    }
    return committed;
  }

  private async load(): Promise<LoadReport> {
    const report: LoadReport = { loaded: [], failed: [] };
    if (this.registry === undefined) return report;
    let refs: ModelRef[];
    try {
      refs = await productionRefs(this.registry);
    } catch (error) {
      // A registry that cannot be read says nothing new about which versions fail.
      this.options.log.error(`cannot list the models to serve: ${(error as Error).message}`);
      return report;
    }
    const done = new Set<string>();
    for (const ref of refs) {
      if (done.has(ref.name)) continue;
      if (this.models.get(ref.name)?.info.id === ref.id) {
        done.add(ref.name);
        continue;
      }
      try {
        await this.models.replace(
          await loadForecaster(this.registry, ref, this.options.clipNegative),
          ref.id,
        );
        done.add(ref.name);
        report.loaded.push(ref);
        this.options.log.info(`serving model ${ref.name} ${ref.version} from ${ref.folder}`);
      } catch (error) {
        const reason = (error as Error).message;
        report.failed.push({ ref, reason });
        this.options.metrics?.modelLoadFailures.inc({ model: ref.name });
        this.options.log.error(`cannot load model ${ref.name} ${ref.version}: ${reason}`);
      }
    }
    this.lastFailures = failuresByName(report);
    return report;
  }
}

function failuresByName(report: LoadReport): LoadFailure[] {
  const at = new Date().toISOString();
  const byName = new Map<string, LoadFailure>();
  for (const { ref, reason } of report.failed) {
    if (!byName.has(ref.name))
      byName.set(ref.name, { name: ref.name, version: ref.version, id: ref.id, reason, at });
  }
  return [...byName.values()];
}
