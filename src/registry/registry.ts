import { randomUUID } from "node:crypto";
import { basename, resolve } from "node:path";
import {
  type Artifact,
  type ArtifactFiles,
  artifactFromFiles,
  readArtifactFiles,
} from "../artifact/index.ts";
import type { RegistryConfig } from "../config/index.ts";
import type { RegistryBackend, RegistryTransaction, Unwatch, WatchOptions } from "./backend.ts";
import { RegistryError } from "./errors.ts";
import { decidePromotion, type PromotionPolicy } from "./promotion-policy.ts";
import type {
  ModelVersion,
  ProductionModel,
  RunOutcome,
  RunProgress,
  TrainingRun,
  TrainScope,
} from "./records.ts";
import { runProgressSchema } from "./records.ts";
import { SqliteBackend } from "./sqlite-backend.ts";

/** A version that became production, and the one it replaced (now archived), if any. */
export interface StageChange {
  model: ModelVersion;
  replaced: ModelVersion | null;
}

/** A registered version: promoted or left a candidate by the promotion policy, and why. */
export interface Registration extends StageChange {
  promoted: boolean;
  reason: string;
}

const now = () => new Date().toISOString();

async function getModel(tx: RegistryTransaction, id: number): Promise<ModelVersion> {
  const model = await tx.models.find(id);
  if (model === undefined) throw new RegistryError(`no model with id ${id}`, "not_found");
  return model;
}

async function getRun(tx: RegistryTransaction, id: string): Promise<TrainingRun> {
  const run = await tx.runs.find(id);
  if (run === undefined) throw new RegistryError(`no training run with id '${id}'`, "not_found");
  return run;
}

/**
 * The model registry: every trained version of every model, which one serves per name, and the
 * training runs. Kept in an SQLite file (the default) or a PostgreSQL database (`registry.url`); the
 * rules are here, once, and every operation is one transaction of the backend, so concurrent processes
 * (servers, training workers, the CLI) serialize their writes instead of failing half-way.
 */
export class Registry {
  private constructor(
    private readonly backend: RegistryBackend,
    private readonly policy: PromotionPolicy,
  ) {}

  /**
   * Opens the registry `config` names: PostgreSQL when it has a url, else the SQLite file at its path
   * (created with its folder on first use). Either way the schema is migrated first.
   */
  static async open(config: RegistryConfig): Promise<Registry> {
    const backend = config.url
      ? // imported only for a PostgreSQL registry: a CLI command on SQLite never loads pg
        await (await import("./postgres-backend.ts")).openPostgresBackend(config.url)
      : SqliteBackend.open(resolve(config.path));
    return new Registry(backend, config.promotion);
  }

  /** The file's path or the database's URL (without a password), for messages. */
  get location(): string {
    return this.backend.location;
  }

  /**
   * Registers a saved artifact as the next version of its model (meta.json's name), then applies the
   * promotion policy. The artifact is read back from its folder and verified before any row is written,
   * so a row always points at a complete artifact.
   */
  async register(artifact: Pick<Artifact, "folder">): Promise<Registration> {
    const [registration] = await this.registerAll([artifact]);
    return registration;
  }

  /**
   * Registers several artifacts (a per-series training's) in one transaction: all of them, each with its
   * promotion, or none. With `runId`, the same transaction finishes that run as succeeded with their ids,
   * so a crash leaves either a finished run with all its versions or an unfinished run with none.
   */
  async registerAll(artifacts: readonly Pick<Artifact, "folder">[], runId?: string): Promise<Registration[]> {
    const checked = artifacts.map(({ folder }) => {
      if (basename(folder).startsWith(".")) {
        throw new RegistryError(`${folder} is an unfinished temporary folder, not an artifact`, "invalid");
      }
      const files = readArtifactFiles(folder);
      return { folder: resolve(folder), files, meta: artifactFromFiles(folder, files).meta };
    });
    return this.backend.write(async (tx) => {
      const registrations: Registration[] = [];
      for (const artifact of checked) registrations.push(await this.registerChecked(tx, artifact));
      if (runId !== undefined) {
        const modelIds = registrations.map(({ model }) => model.id);
        await this.finishIn(tx, runId, { status: "succeeded", modelIds });
      }
      return registrations;
    });
  }

  private async registerChecked(
    tx: RegistryTransaction,
    { folder, files, meta }: { folder: string; files: ArtifactFiles; meta: Artifact["meta"] },
  ): Promise<Registration> {
    const existing = await tx.models.byFolder(folder);
    if (existing !== undefined) {
      throw new RegistryError(
        `${folder} is already registered as ${existing.name} v${existing.version} (id ${existing.id})`,
        "conflict",
      );
    }
    const candidate = await tx.models.insertCandidate(
      {
        name: meta.name,
        created_at: meta.created_at,
        folder,
        onnx_sha256: meta.onnx_sha256,
        metrics: meta.validation,
        config: meta.config,
      },
      files,
    );
    const production = await tx.models.productionOf(meta.name);
    const decision = decidePromotion(
      this.policy,
      { mase: candidate.metrics.model.mase, measuredOn: candidate.metrics.measured_on },
      production && {
        version: production.version,
        mase: production.metrics.model.mase,
        measuredOn: production.metrics.measured_on,
      },
    );
    if (!decision.promote) return { model: candidate, replaced: null, promoted: false, ...decision };
    const change = await this.replaceProduction(tx, candidate, production);
    return { ...change, promoted: true, reason: decision.reason };
  }

  /** Archives `current` and makes `next` serve; `next` remembers `current` as where a rollback goes. */
  private async replaceProduction(
    tx: RegistryTransaction,
    next: ModelVersion,
    current: ModelVersion | undefined,
  ): Promise<StageChange> {
    if (current !== undefined) await tx.models.archive(current.id);
    await tx.models.makeProduction(next.id, current?.id ?? null, now());
    const model = await getModel(tx, next.id);
    return { model, replaced: current === undefined ? null : await getModel(tx, current.id) };
  }

  /** Makes a version serve whatever its metrics; promoting the serving version changes nothing. */
  promote(id: number): Promise<StageChange> {
    return this.backend.write(async (tx) => {
      const model = await getModel(tx, id);
      if (model.stage === "production") return { model, replaced: null };
      return this.replaceProduction(tx, model, await tx.models.productionOf(model.name));
    });
  }

  /**
   * Puts back the version that served before the current one of `name` was promoted, and archives the
   * current one. Repeated rollbacks walk further back through the promotion history.
   */
  rollback(name: string): Promise<StageChange> {
    return this.backend.write(async (tx) => {
      const current = await tx.models.productionOf(name);
      if (current === undefined) {
        const names = await tx.models.names();
        if (!names.includes(name)) {
          throw new RegistryError(
            `no model named '${name}' (known: ${names.join(", ") || "none registered"})`,
            "not_found",
          );
        }
        throw new RegistryError(`model '${name}' has no production version to roll back from`, "invalid");
      }
      if (current.previous_production_id === null) {
        throw new RegistryError(
          `model '${name}' has no earlier production version to roll back to (v${current.version} was the first)`,
          "invalid",
        );
      }
      const previous = await getModel(tx, current.previous_production_id);
      await tx.models.archive(current.id);
      await tx.models.makeProduction(previous.id, previous.previous_production_id, now());
      return { model: await getModel(tx, previous.id), replaced: await getModel(tx, current.id) };
    });
  }

  /** Every version of every model, by name then version. */
  list(): Promise<ModelVersion[]> {
    return this.backend.read((tx) => tx.models.all());
  }

  get(id: number): Promise<ModelVersion> {
    return this.backend.read((tx) => getModel(tx, id));
  }

  /** The verified artifact of version `id`: its files from the disk (SQLite) or the database (PostgreSQL). */
  async artifact(id: number): Promise<Artifact> {
    return this.backend.artifact(await this.get(id));
  }

  /** The versions that serve, one per name: what a server loads. */
  async production(): Promise<ProductionModel[]> {
    const all = await this.list();
    return all
      .filter((model) => model.stage === "production")
      .map(({ id, name, version, folder }) => ({ id, name, version, folder }));
  }

  /** Queues a run; a conflict error when the scope already has a queued or running one. */
  createRun(scope: TrainScope): Promise<TrainingRun> {
    return this.backend.write(async (tx) => {
      const active = await tx.runs.active(scope);
      if (active !== undefined) {
        throw new RegistryError(
          `a ${scope} training run is already ${active.status} (run ${active.id}); one at a time per scope`,
          "conflict",
        );
      }
      const id = randomUUID();
      await tx.runs.insert(id, scope, now());
      return getRun(tx, id);
    });
  }

  startRun(id: string): Promise<TrainingRun> {
    return this.backend.write(async (tx) => {
      const run = await getRun(tx, id);
      if (run.status !== "queued") {
        throw new RegistryError(
          `training run ${id} is ${run.status}; only a queued run can start`,
          "invalid",
        );
      }
      await tx.runs.start(id, now());
      return getRun(tx, id);
    });
  }

  updateRunProgress(id: string, progress: RunProgress): Promise<void> {
    return this.backend.write(async (tx) => {
      const run = await getRun(tx, id);
      if (run.status !== "running") {
        throw new RegistryError(
          `training run ${id} is ${run.status}; only a running run takes progress`,
          "invalid",
        );
      }
      await tx.runs.setProgress(id, runProgressSchema.parse(progress));
    });
  }

  finishRun(id: string, outcome: RunOutcome): Promise<TrainingRun> {
    return this.backend.write((tx) => this.finishIn(tx, id, outcome));
  }

  private async finishIn(tx: RegistryTransaction, id: string, outcome: RunOutcome): Promise<TrainingRun> {
    const run = await getRun(tx, id);
    if (run.status === "succeeded" || run.status === "failed") {
      throw new RegistryError(`training run ${id} has already ${run.status}`, "invalid");
    }
    const modelIds = outcome.modelIds ?? [];
    const unknown: number[] = [];
    for (const modelId of modelIds) if ((await tx.models.find(modelId)) === undefined) unknown.push(modelId);
    if (unknown.length > 0) {
      throw new RegistryError(
        `training run ${id} names unknown model ids ${unknown.join(", ")}`,
        "not_found",
      );
    }
    for (const modelId of modelIds) await tx.runs.addModel(id, modelId);
    await tx.runs.finish(id, outcome.status, outcome.status === "failed" ? outcome.error : null, now());
    return getRun(tx, id);
  }

  getRun(id: string): Promise<TrainingRun> {
    return this.backend.read((tx) => getRun(tx, id));
  }

  /** The queued or running run of a scope, if any. */
  activeRun(scope: TrainScope): Promise<TrainingRun | undefined> {
    return this.backend.read((tx) => tx.runs.active(scope));
  }

  /**
   * Marks every queued or running run failed (with `startedBefore`, only those started, or queued, before
   * it). For a process that starts: a run still active then was cut off by a crash or kill and would
   * otherwise block its scope forever.
   */
  failInterruptedRuns(options: { startedBefore?: Date } = {}): Promise<TrainingRun[]> {
    const before = options.startedBefore?.getTime() ?? Number.POSITIVE_INFINITY;
    return this.backend.write(async (tx) => {
      const failed: TrainingRun[] = [];
      for (const run of await tx.runs.allActive()) {
        if (Date.parse(run.started_at ?? run.created_at) >= before) continue;
        const error = "interrupted: the process stopped before the run finished";
        failed.push(await this.finishIn(tx, run.id, { status: "failed", error }));
      }
      return failed;
    });
  }

  /**
   * Calls `listener` when another process may have changed which versions serve: SQLite is polled every
   * `pollMs`; PostgreSQL tells at once (LISTEN/NOTIFY).
   */
  watch(listener: () => void, options: WatchOptions): Unwatch {
    return this.backend.watch(listener, options);
  }

  /** Whether the store answers a query: what readiness asks. */
  ping(): Promise<void> {
    return this.backend.ping();
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}
