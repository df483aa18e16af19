import { basename, dirname, resolve } from "node:path";
import type { Database } from "better-sqlite3";
import { type Artifact, readArtifact } from "../artifact/index.ts";
import type { RegistryConfig } from "../config/index.ts";
import { openDatabase } from "./database.ts";
import { RegistryError } from "./errors.ts";
import { ModelStore } from "./model-store.ts";
import { decidePromotion, type PromotionPolicy } from "./promotion-policy.ts";
import type {
  ModelVersion,
  ProductionModel,
  RunOutcome,
  RunProgress,
  TrainingRun,
  TrainScope,
} from "./records.ts";
import { RunStore } from "./run-store.ts";

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

/**
 * The model registry: every trained version of every model, which one serves per name, and the
 * training runs. One SQLite file; every write is one immediate transaction, so concurrent processes
 * (a server, a training worker, the CLI) serialize their writes instead of failing half-way.
 */
export class Registry {
  private readonly models: ModelStore;
  private readonly runs: RunStore;

  private constructor(
    private readonly db: Database,
    readonly path: string,
    private readonly policy: PromotionPolicy,
  ) {
    this.models = new ModelStore(db, dirname(path));
    this.runs = new RunStore(db);
  }

  /** Opens the registry file (creating it and its folder on first use) and migrates its schema. */
  static open(config: RegistryConfig): Registry {
    const path = resolve(config.path);
    return new Registry(openDatabase(path), path, config.promotion);
  }

  private write<T>(operation: () => T): T {
    return this.db.transaction(operation).immediate();
  }

  /**
   * Registers a saved artifact as the next version of its model (meta.json's name), then applies the
   * promotion policy. The artifact is read back from its folder and its checksum verified before any row
   * is written, so a row always points at a complete artifact on disk.
   */
  register(artifact: Pick<Artifact, "folder">): Registration {
    const [registration] = this.registerAll([artifact]);
    return registration;
  }

  /**
   * Registers several artifacts (a per-series training's) in one transaction: all of them, each with its
   * promotion, or none. With `runId`, the same transaction finishes that run as succeeded with their ids,
   * so a crash leaves either a finished run with all its versions or an unfinished run with none.
   */
  registerAll(artifacts: readonly Pick<Artifact, "folder">[], runId?: string): Registration[] {
    const checked = artifacts.map(({ folder }) => {
      if (basename(folder).startsWith(".")) {
        throw new RegistryError(`${folder} is an unfinished temporary folder, not an artifact`, "invalid");
      }
      return { folder, meta: readArtifact(folder).meta };
    });
    return this.write(() => {
      const registrations = checked.map(({ folder, meta }) => this.registerChecked(folder, meta));
      if (runId !== undefined) {
        const modelIds = registrations.map(({ model }) => model.id);
        this.runs.finish(runId, { status: "succeeded", modelIds }, now(), () => true);
      }
      return registrations;
    });
  }

  private registerChecked(folder: string, meta: Artifact["meta"]): Registration {
    const existing = this.models.byFolder(folder);
    if (existing !== undefined) {
      throw new RegistryError(
        `${folder} is already registered as ${existing.name} v${existing.version} (id ${existing.id})`,
        "conflict",
      );
    }
    const candidate = this.models.insertCandidate({
      name: meta.name,
      created_at: meta.created_at,
      folder,
      onnx_sha256: meta.onnx_sha256,
      metrics: meta.validation,
      config: meta.config,
    });
    const production = this.models.productionOf(meta.name);
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
    return { ...this.replaceProduction(candidate, production), promoted: true, reason: decision.reason };
  }

  /** Archives `current` and makes `next` serve; `next` remembers `current` as where a rollback goes. */
  private replaceProduction(next: ModelVersion, current: ModelVersion | undefined): StageChange {
    if (current !== undefined) this.models.archive(current.id);
    const model = this.models.makeProduction(next.id, current?.id ?? null, now());
    return { model, replaced: current === undefined ? null : this.models.get(current.id) };
  }

  /** Makes a version serve whatever its metrics; promoting the serving version changes nothing. */
  promote(id: number): StageChange {
    return this.write(() => {
      const model = this.models.get(id);
      if (model.stage === "production") return { model, replaced: null };
      return this.replaceProduction(model, this.models.productionOf(model.name));
    });
  }

  /**
   * Puts back the version that served before the current one of `name` was promoted, and archives the
   * current one. Repeated rollbacks walk further back through the promotion history.
   */
  rollback(name: string): StageChange {
    return this.write(() => {
      const current = this.models.productionOf(name);
      if (current === undefined) {
        const names = this.models.names();
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
      const previous = this.models.get(current.previous_production_id);
      this.models.archive(current.id);
      const model = this.models.makeProduction(previous.id, previous.previous_production_id, now());
      return { model, replaced: this.models.get(current.id) };
    });
  }

  /** Every version of every model, by name then version. */
  list(): ModelVersion[] {
    return this.models.all();
  }

  get(id: number): ModelVersion {
    return this.models.get(id);
  }

  /** The versions that serve, one per name: what a server loads. */
  production(): ProductionModel[] {
    return this.models
      .allProduction()
      .map(({ id, name, version, folder }) => ({ id, name, version, folder }));
  }

  /** Queues a run; a conflict error when the scope already has a queued or running one. */
  createRun(scope: TrainScope): TrainingRun {
    return this.write(() => this.runs.create(scope, now()));
  }

  startRun(id: string): TrainingRun {
    return this.write(() => this.runs.start(id, now()));
  }

  updateRunProgress(id: string, progress: RunProgress): void {
    this.write(() => this.runs.setProgress(id, progress));
  }

  finishRun(id: string, outcome: RunOutcome): TrainingRun {
    return this.write(() =>
      this.runs.finish(id, outcome, now(), (modelId) => this.models.find(modelId) !== undefined),
    );
  }

  getRun(id: string): TrainingRun {
    return this.runs.get(id);
  }

  /** The queued or running run of a scope, if any. */
  activeRun(scope: TrainScope): TrainingRun | undefined {
    return this.runs.active(scope);
  }

  /**
   * Marks every queued or running run failed. Only for the process that owns the runs, when it starts:
   * a run still active then was cut off by a crash or kill and would otherwise block its scope forever.
   */
  failInterruptedRuns(): TrainingRun[] {
    return this.write(() =>
      this.runs
        .allActive()
        .map((run) =>
          this.runs.finish(
            run.id,
            { status: "failed", error: "interrupted: the process stopped before the run finished" },
            now(),
            () => true,
          ),
        ),
    );
  }

  /**
   * SQLite's data_version: it changes when another connection (another process, a training worker) commits
   * to the file, so a server can poll it cheaply to see a promotion it did not make.
   */
  dataVersion(): number {
    return this.db.pragma("data_version", { simple: true }) as number;
  }

  /** Whether the file answers a query: what readiness asks. */
  ping(): void {
    this.db.prepare("SELECT 1").get();
  }

  close(): void {
    this.db.close();
  }
}
