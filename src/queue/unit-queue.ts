import { randomUUID } from "node:crypto";
import { type Job, Queue, QueueEvents } from "bullmq";
import type { QueueConfig } from "../config/index.ts";
import type { TrainedGroup } from "../train/fit-group.ts";
import type { SeriesUnit, UnitRunner } from "../train/series-units.ts";
import { connectRedis } from "./connection.ts";
import { type PackedModels, unpackModels } from "./packed-models.ts";

/** The BullMQ queue of per-series work units that `salescast worker` processes take from. */
export const UNITS_QUEUE = "salescast-units";

/** The job name of a per-series training unit. */
export const SERIES_MODELS_JOB = "series_models";

/**
 * Runs units as BullMQ jobs on the workers of the queue at `config.url` and writes the models they return
 * below `root`. Each job's id is the run's key and the unit's index, so a unit is queued once, and its result
 * is the one its job completed with: a unit run twice (a worker killed, its job recovered as stalled) stores
 * one result. Jobs are retried `attempts` times with exponential backoff; a unit that fails them all fails the
 * run with its reason, and the run's other units are taken off the queue.
 */
export async function openQueueRunner(config: QueueConfig, root: string): Promise<UnitRunner> {
  const connection = await connectRedis(config.url);
  const queue = new Queue<SeriesUnit, PackedModels>(UNITS_QUEUE, { connection });
  const events = new QueueEvents(UNITS_QUEUE, { connection: connection.duplicate() });
  await events.waitUntilReady();
  return {
    async run(units) {
      const key = randomUUID();
      const jobs = await queue.addBulk(
        units.map((unit) => ({
          name: SERIES_MODELS_JOB,
          data: unit,
          opts: {
            jobId: `${key}-${unit.index}`,
            attempts: config.attempts,
            backoff: { type: "exponential", delay: config.backoff_ms },
            removeOnComplete: true,
            removeOnFail: { age: 7 * 24 * 3600 },
          },
        })),
      );
      try {
        return await Promise.all(jobs.map((job, i) => finished(job, events, units[i], units.length, root)));
      } catch (error) {
        await Promise.all(jobs.map((job) => job.remove().catch(() => {})));
        throw error;
      }
    },
    async close() {
      await events.close();
      await queue.close();
      connection.disconnect();
    },
  };
}

async function finished(
  job: Job<SeriesUnit, PackedModels>,
  events: QueueEvents,
  unit: SeriesUnit,
  count: number,
  root: string,
): Promise<TrainedGroup[]> {
  let packed: PackedModels;
  try {
    packed = await job.waitUntilFinished(events);
  } catch (error) {
    throw new Error(`work unit ${unit.index + 1} of ${count} failed: ${(error as Error).message}`);
  }
  return unpackModels(packed, unit, root);
}
