import { Queue, Worker } from "bullmq";
import type { QueueConfig } from "../config/index.ts";
import { WorkerPool } from "../parallel/index.ts";
import { connectRedis } from "./connection.ts";
import { UNITS_QUEUE, type UnitJobName, type UnitJobs, type UnitTask } from "./jobs.ts";
import { QUEUE_STATES } from "./worker-metrics.ts";

const UNIT_THREAD = new URL("./unit-thread.ts", import.meta.url);

const JOB_NAMES: Record<UnitJobName, true> = { series_models: true, statistical: true };

export interface UnitWorker {
  /** The queue's jobs by state (waiting, active, delayed, failed), as Redis has them now. */
  counts(): Promise<Record<string, number>>;
  /** Stops taking units, lets the ones running finish, and ends the threads. */
  close(): Promise<void>;
}

export interface UnitWorkerEvents {
  onActive?: (job: { id?: string; name: string }) => void;
  onCompleted?: (job: { id?: string; name: string }, seconds: number) => void;
  onFailed?: (job: { id?: string; name: string } | undefined, reason: string) => void;
}

/**
 * `salescast worker`: takes `concurrency` units at a time from the queue and trains each on a thread of its
 * own. A unit whose worker dies stops having its lock renewed; after `lock_ms` another worker's stall check
 * puts it back in the queue, as many times as `attempts` allows.
 */
export async function startUnitWorker(
  config: QueueConfig,
  concurrency: number,
  events: UnitWorkerEvents = {},
): Promise<UnitWorker> {
  const connection = await connectRedis(config.url);
  const pool = new WorkerPool<UnitTask, UnitJobs[UnitJobName]["result"]>(UNIT_THREAD, concurrency, "unit");
  const worker = new Worker(
    UNITS_QUEUE,
    async (job) => {
      if (!Object.hasOwn(JOB_NAMES, job.name)) throw new Error(`unknown job "${job.name}"`);
      return pool.run({ name: job.name, data: job.data } as UnitTask);
    },
    {
      connection,
      concurrency,
      lockDuration: config.lock_ms,
      stalledInterval: config.lock_ms,
      maxStalledCount: config.attempts,
    },
  );
  worker.on("active", (job) => events.onActive?.({ id: job.id, name: job.name }));
  worker.on("completed", (job) => {
    const seconds = ((job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now())) / 1000;
    events.onCompleted?.({ id: job.id, name: job.name }, seconds);
  });
  worker.on("failed", (job, error) =>
    events.onFailed?.(job && { id: job.id, name: job.name }, error.message),
  );
  worker.on("error", () => {});
  await worker.waitUntilReady();
  const queue = new Queue(UNITS_QUEUE, { connection });
  return {
    counts: () => queue.getJobCounts(...QUEUE_STATES),
    async close() {
      await worker.close();
      await queue.close();
      await pool.close();
      connection.disconnect();
    },
  };
}
