import { randomUUID } from "node:crypto";
import { type Job, Queue, QueueEvents } from "bullmq";
import type { QueueConfig } from "../config/index.ts";
import { connectRedis } from "./connection.ts";
import { QueueError } from "./errors.ts";
import { UNITS_QUEUE, type UnitJobName, type UnitJobs } from "./jobs.ts";

/** A connection to the units queue that runs batches of jobs and waits for their results. */
export interface JobBatches {
  /**
   * Queues one job per item, at most `max_queued` at a time, and resolves with their results in order. Each
   * job's id is the batch's key and the item's index, so an item is queued once, and its result is the one
   * its job completed with: a unit run twice (a worker killed, its job recovered as stalled) gives one
   * result. Jobs are retried `attempts` times with exponential backoff; one that fails them all rejects the
   * batch with `work unit K of N failed: <reason>`, no further job is queued, and the queued ones are taken
   * off the queue.
   */
  run<K extends UnitJobName>(
    name: K,
    items: readonly UnitJobs[K]["data"][],
    onDone?: (done: number) => void,
  ): Promise<UnitJobs[K]["result"][]>;
  close(): Promise<void>;
}

export async function openJobBatches(config: QueueConfig): Promise<JobBatches> {
  const connection = await connectRedis(config.url);
  const queue = new Queue(UNITS_QUEUE, { connection });
  const eventsConnection = connection.duplicate();
  const events = new QueueEvents(UNITS_QUEUE, { connection: eventsConnection });
  // Each job waited for listens for its own end: as many listeners as lanes.
  events.setMaxListeners(2 * config.max_queued + 10);
  await events.waitUntilReady();
  return {
    async run(name, items, onDone) {
      const key = randomUUID();
      const results: UnitJobs[typeof name]["result"][] = new Array(items.length);
      const queued: Job[] = [];
      let next = 0;
      let done = 0;
      let failure: Error | null = null;
      // `max_queued` lanes, each queuing one job and waiting for it before the next: Redis holds that many
      // units' data at most, however large the run.
      const lane = async () => {
        while (next < items.length && failure === null) {
          const index = next++;
          const job = await queue.add(name, items[index], {
            jobId: `${key}-${index}`,
            attempts: config.attempts,
            backoff: { type: "exponential", delay: config.backoff_ms },
            removeOnComplete: true,
            removeOnFail: { age: 7 * 24 * 3600 },
          });
          queued.push(job);
          try {
            results[index] = await job.waitUntilFinished(events);
            onDone?.(++done);
          } catch (error) {
            failure ??= new QueueError(
              `work unit ${index + 1} of ${items.length} failed: ${(error as Error).message}`,
            );
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(config.max_queued, items.length) }, lane));
      if (failure !== null) {
        await Promise.all(queued.map((job) => job.remove().catch(() => {})));
        throw failure;
      }
      return results;
    },
    async close() {
      await events.close();
      await queue.close();
      eventsConnection.disconnect();
      connection.disconnect();
    },
  };
}
