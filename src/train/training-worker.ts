/**
 * A training run in a worker thread, so the server's event loop keeps answering while the model trains:
 * the server queues the run in the registry and starts this module in a Worker with the run's config and id;
 * the worker opens its own connection to the same registry, carries the run out (registration and the run's
 * end are written to the registry), posts each epoch's progress (the server records it: training is
 * synchronous and leaves no turn for an asynchronous write here), then one message saying how it ended.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { Config } from "../config/index.ts";
import { Registry, type RunProgress } from "../registry/index.ts";
import { executeRun } from "./register.ts";

const MARK = "salescast-training-run";

/** What the worker is started with (`workerData`); plain data, copied into the worker. */
export interface TrainingWorkerData {
  mark: typeof MARK;
  config: Config;
  runId: string;
}

/** An epoch's progress, posted as it happens. */
export interface TrainingProgressMessage {
  kind: "progress";
  progress: RunProgress;
}

/** The one message the worker posts before it exits. */
export type TrainingWorkerMessage =
  | { kind: "succeeded"; modelIds: number[]; promotedIds: number[]; warnings: string[] }
  | { kind: "failed"; error: string };

export function trainingWorkerData(config: Config, runId: string): TrainingWorkerData {
  return { mark: MARK, config, runId };
}

function isTrainingWorkerData(data: unknown): data is TrainingWorkerData {
  return typeof data === "object" && data !== null && (data as { mark?: unknown }).mark === MARK;
}

async function carryOut(
  { config, runId }: TrainingWorkerData,
  report: (progress: RunProgress) => void,
): Promise<TrainingWorkerMessage> {
  let registry: Registry | undefined;
  try {
    registry = await Registry.open(config.registry);
    const result = await executeRun(config, registry, runId, report);
    const registrations = result.models.map((model) => model.registration);
    return {
      kind: "succeeded",
      modelIds: registrations.map((registration) => registration.model.id),
      promotedIds: registrations.filter((r) => r.promoted).map((r) => r.model.id),
      warnings: result.warnings,
    };
  } catch (error) {
    return { kind: "failed", error: error instanceof Error ? error.message : String(error) };
  } finally {
    await registry?.close();
  }
}

// Only in a worker started for a run: importing this module anywhere else (for its types) does nothing.
if (parentPort !== null && isTrainingWorkerData(workerData)) {
  const port = parentPort;
  const report = (progress: RunProgress) => port.postMessage({ kind: "progress", progress });
  port.postMessage(await carryOut(workerData, report));
}
