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
  const result = await trainFromConfig(config, { progress: options.progress });
  const registrations = options.registry.registerAll(
    result.models.map((model) => model.artifact),
    options.runId,
  );
  const models = result.models.map((model, i) => ({ ...model, registration: registrations[i] }));
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
 * and finishes it as succeeded with the registered model ids (in the registration's transaction), or
 * failed with the error's message (the error is rethrown for the caller to log).
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
    return await trainAndRegister(config, { registry, runId, progress: runProgress(registry, runId) });
  } catch (error) {
    registry.finishRun(runId, { status: "failed", error: (error as Error).message });
    throw error;
  }
}
