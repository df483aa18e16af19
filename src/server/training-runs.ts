import { performance } from "node:perf_hooks";
import type { Worker } from "node:worker_threads";
import type { Config } from "../config/index.ts";
import { startTypeScriptWorker } from "../parallel/index.ts";
import { type Registry, RegistryError, type TrainingRun } from "../registry/index.ts";
import {
  type TrainingProgressMessage,
  type TrainingWorkerData,
  type TrainingWorkerMessage,
  trainingWorkerData,
} from "../train/training-worker.ts";
import { HttpError } from "./errors.ts";
import type { SalescastMetrics } from "./metrics.ts";
import type { LoadLog, LoadReport, ModelLoader } from "./model-loader.ts";
import { withoutPaths } from "./redact.ts";
import { type TrainRequest, trainingConfig } from "./training-config.ts";

/** A model version named in a hot-swap report. */
export interface SwappedVersion {
  name: string;
  version: string;
  id?: number;
}

/** What the server did about the serving models once a run ended. */
export interface HotSwapReport {
  /** Versions that serve from now on. */
  loaded: SwappedVersion[];
  /** Versions that should have served but could not be loaded: the ones before them keep serving. */
  failed: (SwappedVersion & { reason: string })[];
}

/** A run as the API shows it: the registry's record, and the hot swap once this server has done it. */
export type RunView = TrainingRun & { hot_swap?: HotSwapReport };

export interface TrainingRunsOptions {
  registry: Registry;
  /** The server's configuration: each run's overrides apply over it. */
  config: Config;
  /** Loads the new production versions once a run ends. */
  sync: Pick<ModelLoader, "sync">;
  metrics: Pick<SalescastMetrics, "recordTrainingRun">;
  log: LoadLog;
}

const WORKER_MODULE = new URL("../train/training-worker.ts", import.meta.url);

/** A worker thread running the training worker module for one run. */
function startTrainingWorker(data: TrainingWorkerData, maxMemoryMb: number): Worker {
  return startTypeScriptWorker(WORKER_MODULE, {
    workerData: data,
    name: `salescast training ${data.runId}`,
    // A run that outgrows its heap ends the worker with ERR_WORKER_OUT_OF_MEMORY, never the server.
    resourceLimits: { maxOldGenerationSizeMb: maxMemoryMb },
  });
}

const KEPT_SWAP_REPORTS = 100;

const versionOf = ({ name, version, id }: SwappedVersion): SwappedVersion =>
  id === undefined ? { name, version } : { name, version, id };

function swapReport(report: LoadReport): HotSwapReport {
  return {
    loaded: report.loaded.map(versionOf),
    failed: report.failed.map(({ ref, reason }) => ({ ...versionOf(ref), reason })),
  };
}

interface ActiveRun {
  /** Absent when the worker could not be started. */
  worker?: Worker;
  /** Resolves once the run's end is handled: recorded, finished in the registry, models swapped. */
  handled: Promise<void>;
}

/**
 * Training runs started over HTTP, each in its own worker thread so that serving never waits for training.
 * The registry keeps each run's state (the worker writes progress and the end); this side learns when a
 * worker exits, makes sure its run is finished, counts it in the metrics, and loads the versions the run
 * promoted, in-flight requests finishing on the old ones.
 */
export class TrainingRuns {
  private readonly active = new Map<string, ActiveRun>();
  private readonly swaps = new Map<string, HotSwapReport>();
  private closing = false;

  constructor(private readonly options: TrainingRunsOptions) {}

  /**
   * Queues a run with the request's configuration and starts its worker. A bad request is an HttpError (400 or
   * 422) and a scope that already has a run a 409, both before anything is queued.
   */
  async start(request: TrainRequest): Promise<TrainingRun> {
    if (this.closing) throw new HttpError(503, "shutting_down", "the server is shutting down");
    const config = trainingConfig(this.options.config, request);
    let run: TrainingRun;
    try {
      run = await this.options.registry.createRun(config.train.scope);
    } catch (error) {
      if (error instanceof RegistryError && error.kind === "conflict") {
        throw new HttpError(409, "run_in_progress", error.message);
      }
      throw error;
    }
    this.launch(run.id, config);
    return run;
  }

  /**
   * Starts a run as `start` does and resolves once its end is handled: finished in the registry and what it
   * promoted swapped in, so a forecast made after this answers with the new models.
   */
  async startAndWait(request: TrainRequest): Promise<RunView> {
    const run = await this.start(request);
    await this.active.get(run.id)?.handled;
    return this.get(run.id);
  }

  /**
   * The run as the registry has it, with the hot swap once done, its error naming files by their last part
   * only; a RegistryError (not_found) for an unknown id.
   */
  async get(id: string): Promise<RunView> {
    const recorded = await this.options.registry.getRun(id);
    const run = recorded.error === null ? recorded : { ...recorded, error: withoutPaths(recorded.error) };
    const swap = this.swaps.get(id);
    if (swap === undefined) return run;
    const failed = swap.failed.map((failure) => ({ ...failure, reason: withoutPaths(failure.reason) }));
    return { ...run, hot_swap: { ...swap, failed } };
  }

  /** Stops every running worker; their runs are finished as failed (interrupted). */
  async close(): Promise<void> {
    this.closing = true;
    const running = [...this.active.values()];
    await Promise.all(running.map(({ worker }) => worker?.terminate()));
    await Promise.all(running.map(({ handled }) => handled));
  }

  private launch(runId: string, config: Config): void {
    const started = performance.now();
    const entry: ActiveRun = { handled: Promise.resolve() };
    this.active.set(runId, entry);
    const { max_memory_mb, max_seconds } = this.options.config.train.limits;
    let worker: Worker;
    try {
      worker = startTrainingWorker(trainingWorkerData(config, runId), max_memory_mb);
    } catch (error) {
      const why = `cannot start the training worker: ${(error as Error).message}`;
      entry.handled = this.ended(runId, started, why);
      return;
    }
    entry.worker = worker;
    let message: TrainingWorkerMessage | undefined;
    let crash: Error | undefined;
    // Progress writes one after another, all landed before the run's end is handled.
    let progressWrites: Promise<void> = Promise.resolve();
    worker.on("message", (posted: TrainingWorkerMessage | TrainingProgressMessage) => {
      if (posted.kind !== "progress") {
        message = posted;
        return;
      }
      progressWrites = progressWrites.then(() =>
        this.options.registry.updateRunProgress(runId, posted.progress).catch((error: Error) => {
          this.options.log.warn(`cannot record the progress of training run ${runId}: ${error.message}`);
        }),
      );
    });
    worker.on("error", (error) => {
      crash = error;
    });
    let overTime = false;
    const budget = setTimeout(() => {
      overTime = true;
      worker.terminate();
    }, max_seconds * 1000);
    budget.unref();
    entry.handled = new Promise<void>((resolve) => {
      worker.once("exit", (code) => {
        clearTimeout(budget);
        let why: string;
        if (message?.kind === "failed") why = message.error;
        else if (overTime)
          why = `stopped: the run took longer than the server's limit of ${max_seconds} s (train.limits.max_seconds)`;
        else if ((crash as { code?: string } | undefined)?.code === "ERR_WORKER_OUT_OF_MEMORY")
          why = `stopped: the run needed more memory than the server's limit of ${max_memory_mb} MiB (train.limits.max_memory_mb)`;
        else if (crash !== undefined) why = `the training worker failed: ${crash.message}`;
        else if (this.closing) why = "interrupted: the server stopped before the run finished";
        else why = `the training worker exited (code ${code}) before finishing the run`;
        progressWrites.then(() => this.ended(runId, started, why, message)).then(resolve);
      });
    });
  }

  /**
   * The main thread's part once a run's worker is gone: finish the run if the worker could not, count it,
   * and swap in what it promoted. Never throws: a failure here is logged.
   */
  private async ended(
    runId: string,
    started: number,
    failure: string,
    message?: TrainingWorkerMessage,
  ): Promise<void> {
    const { registry, metrics, sync, log } = this.options;
    try {
      let run = await registry.getRun(runId);
      if (run.status === "queued" || run.status === "running") {
        run = await registry.finishRun(runId, { status: "failed", error: failure });
      }
      const outcome = run.status === "succeeded" ? "succeeded" : "failed";
      metrics.recordTrainingRun(outcome, (performance.now() - started) / 1000);
      if (outcome === "succeeded") {
        const promoted = message?.kind === "succeeded" ? message.promotedIds.length : 0;
        log.info(
          `training run ${runId} succeeded: registered model ids ${run.model_ids.join(", ")}, ${promoted} promoted`,
        );
        if (message?.kind === "succeeded") for (const warning of message.warnings) log.warn(warning);
      } else {
        log.warn(`training run ${runId} failed: ${run.error ?? failure}`);
      }
      if (this.closing) return;
      this.keepSwap(runId, swapReport(await sync.sync()));
    } catch (error) {
      log.error(`cannot finish handling training run ${runId}: ${(error as Error).message}`);
    } finally {
      this.active.delete(runId);
    }
  }

  private keepSwap(runId: string, report: HotSwapReport): void {
    this.swaps.set(runId, report);
    if (this.swaps.size > KEPT_SWAP_REPORTS) {
      const oldest = this.swaps.keys().next().value;
      if (oldest !== undefined) this.swaps.delete(oldest);
    }
  }
}
