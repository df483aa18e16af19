import type { Config } from "../config/index.ts";
import {
  type Registration,
  type Registry,
  RegistryError,
  type RunProgress,
  removeStalePartials,
} from "../registry/index.ts";
import type { EpochProgress } from "./progress.ts";
import { type TrainRunOptions, type TrainRunResult, trainFromConfig } from "./run.ts";

/** trainFromConfig's result, each model with its registration. */
export interface TrainAndRegisterResult {
  /** One per trained model, in training order. */
  models: (TrainRunResult["models"][number] & { registration: Registration })[];
  /** Series skipped for too little history, each named (from the data loader). */
  warnings: string[];
}

export interface TrainAndRegisterOptions extends TrainRunOptions {
  registry: Registry;
  /** The run that the registration finishes, in the same transaction. */
  runId?: string;
}

/**
 * Trains what the config asks (one global model, or one per series) and registers every artifact as a
 * new version, promoted or not by the registry's policy, all in one transaction (a per-series training's
 * versions all, or none). Saving happens before registering, so a failed save leaves no row. Partial
 * folders left by killed runs are cleared first.
 */
export async function trainAndRegister(
  config: Config,
  options: TrainAndRegisterOptions,
): Promise<TrainAndRegisterResult> {
  removeStalePartials(config.paths.artifacts);
  const result = await trainFromConfig(config, { progress: options.progress, onUnits: options.onUnits });
  const registrations = await options.registry.registerAll(
    result.models.map((model) => model.artifact),
    options.runId,
  );
  const models = result.models.map((model, i) => ({ ...model, registration: registrations[i] }));
  return { models, warnings: result.warnings };
}

const finiteOrNull = (value: number) => (Number.isFinite(value) ? value : null);

/** Before any epoch is seen here (the queue's workers train the units), what the progress names. */
const NO_EPOCH: RunProgress = {
  model: "work units",
  epoch: 0,
  max_epochs: 0,
  train_loss: null,
  val_loss: null,
};

/**
 * Progress handed to `report` at each epoch and each work unit done, for a client polling the run: the last
 * epoch seen here with the units done so far. Training is synchronous, so `report` must not wait for
 * anything: the worker posts it to the server's thread, which records it.
 */
export function runProgress(report: (progress: RunProgress) => void) {
  let last = NO_EPOCH;
  let units: RunProgress["units"];
  const send = () => report(units ? { ...last, units } : last);
  return {
    progress: (model: string, maxEpochs: number): EpochProgress => ({
      onEpoch: (epoch) => {
        last = {
          model,
          epoch: epoch.epoch,
          max_epochs: maxEpochs,
          train_loss: finiteOrNull(epoch.trainLoss),
          val_loss: finiteOrNull(epoch.validationLoss),
        };
        send();
      },
      stop: () => {},
    }),
    onUnits: (done: number, total: number) => {
      units = { done, total };
      send();
    },
  };
}

/**
 * Carries out a queued training run: starts it, trains and registers with each epoch handed to `report`,
 * and finishes it as succeeded with the registered model ids (in the registration's transaction), or
 * failed with the error's message (the error is rethrown for the caller to log).
 */
export async function executeRun(
  config: Config,
  registry: Registry,
  runId: string,
  report: (progress: RunProgress) => void,
): Promise<TrainAndRegisterResult> {
  const run = await registry.startRun(runId);
  try {
    if (run.scope !== config.train.scope) {
      throw new RegistryError(
        `training run ${runId} is for scope ${run.scope} but the config trains ${config.train.scope}`,
        "invalid",
      );
    }
    return await trainAndRegister(config, { registry, runId, ...runProgress(report) });
  } catch (error) {
    await registry.finishRun(runId, { status: "failed", error: (error as Error).message });
    throw error;
  }
}
