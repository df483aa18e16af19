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
}

/**
 * Trains what the config asks (one global model, or one per series) and registers every artifact as a
 * new version, promoted or not by the registry's policy. Saving happens before registering, so a
 * failed save leaves no row. Partial folders left by killed runs are cleared first.
 */
export async function trainAndRegister(
  config: Config,
  options: TrainAndRegisterOptions,
): Promise<TrainAndRegisterResult> {
  removeStalePartials(config.paths.artifacts);
  const result = await trainFromConfig(config, { progress: options.progress });
  const models = result.models.map((model) => ({
    ...model,
    registration: options.registry.register(model.artifact),
  }));
  return { models, warnings: result.warnings };
}

const finiteOrNull = (value: number) => (Number.isFinite(value) ? value : null);

/** Epoch progress that records each epoch on a training run, for a client polling the run. */
export function runProgress(registry: Registry, runId: string) {
  return (model: string, maxEpochs: number): EpochProgress => ({
    onEpoch: (report) => {
      const progress: RunProgress = {
        model,
        epoch: report.epoch,
        max_epochs: maxEpochs,
        train_loss: finiteOrNull(report.trainLoss),
        val_loss: finiteOrNull(report.validationLoss),
      };
      registry.updateRunProgress(runId, progress);
    },
    stop: () => {},
  });
}

/**
 * Carries out a queued training run: starts it, trains and registers with progress recorded on the run,
 * and finishes it as succeeded with the registered model ids, or failed with the error's message
 * (the error is rethrown for the caller to log).
 */
export async function executeRun(
  config: Config,
  registry: Registry,
  runId: string,
): Promise<TrainAndRegisterResult> {
  const run = registry.startRun(runId);
  try {
    if (run.scope !== config.train.scope) {
      throw new RegistryError(
        `training run ${runId} is for scope ${run.scope} but the config trains ${config.train.scope}`,
        "invalid",
      );
    }
    const result = await trainAndRegister(config, { registry, progress: runProgress(registry, runId) });
    registry.finishRun(runId, {
      status: "succeeded",
      modelIds: result.models.map(({ registration }) => registration.model.id),
    });
    return result;
  } catch (error) {
    registry.finishRun(runId, { status: "failed", error: (error as Error).message });
    throw error;
  }
}
