/**
 * A training run in a worker thread, so the server's event loop keeps answering while the model trains:
 * the server queues the run in the registry and starts this module in a Worker with the run's config and id;
 * the worker opens its own connection to the same registry file, carries the run out (progress, registration,
 * the run's end are all written to the registry), posts one message saying how it ended, and exits.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { Config } from "../config/index.ts";
import { Registry } from "../registry/index.ts";
import { executeRun } from "./register.ts";

const MARK = "salescast-training-run";

/** What the worker is started with (`workerData`); plain data, copied into the worker. */
export interface TrainingWorkerData {
  mark: typeof MARK;
  config: Config;
  runId: string;
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

async function carryOut({ config, runId }: TrainingWorkerData): Promise<TrainingWorkerMessage> {
  let registry: Registry | undefined;
  try {
    registry = Registry.open(config.registry);
    const result = await executeRun(config, registry, runId);
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
    registry?.close();
  }
}

// Only in a worker started for a run: importing this module anywhere else (for its types) does nothing.
if (parentPort !== null && isTrainingWorkerData(workerData)) {
  const port = parentPort;
  port.postMessage(await carryOut(workerData));
}
