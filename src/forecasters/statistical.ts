import { availableParallelism } from "node:os";
import type { QueueConfig } from "../config/index.ts";
import { WorkerPool } from "../parallel/index.ts";
import {
  forecastHistories,
  packHistories,
  type StatisticalModelName,
  type StatisticalResult,
  type StatisticalTask,
} from "./statistical-models.ts";
import type { FitContext, FittedMember, ForecastFunction, Member } from "./types.ts";

/** Tasks per worker: enough that a worker given long histories does not leave the others idle at the end. */
const TASKS_PER_WORKER = 8;

const WORKER_MODULE = new URL("./statistical-worker.ts", import.meta.url);

const pools = new Map<number, WorkerPool<StatisticalTask, StatisticalResult>>();

/** The threads `train.workers` asks for: 0 means one per core of the machine. */
export function workerCount(configured: number): number {
  return configured > 0 ? configured : availableParallelism();
}

/** One pool per size, started on first use and kept: a run fits its members one after another. */
function poolOf(size: number): WorkerPool<StatisticalTask, StatisticalResult> {
  let pool = pools.get(size);
  if (!pool) {
    pool = new WorkerPool(WORKER_MODULE, size, "statistical");
    pools.set(size, pool);
  }
  return pool;
}

/** The histories cut into contiguous chunks of `chunk`, each one task. */
function chunkTasks(
  model: StatisticalModelName,
  season: number,
  horizon: number,
  histories: readonly Float64Array[],
  chunk: number,
): StatisticalTask[] {
  const tasks: StatisticalTask[] = [];
  for (let start = 0; start < histories.length; start += chunk) {
    tasks.push(packHistories(model, season, horizon, histories.slice(start, start + chunk)));
  }
  return tasks;
}

function joinResults(
  results: readonly StatisticalResult[],
  count: number,
  horizon: number,
): StatisticalResult {
  const forecasts = new Float64Array(count * horizon);
  let offset = 0;
  for (const { forecasts: part } of results) {
    forecasts.set(part, offset);
    offset += part.length;
  }
  return { forecasts, fallbacks: results.reduce((sum, r) => sum + r.fallbacks, 0) };
}

/** Where a member's forecasts are made: `train.workers` threads here, or the queue's workers. */
type Placement = { workers: number; queue: QueueConfig | null };

/**
 * Each history's forecast, in order: on the queue's workers when there is a queue, else in this thread with
 * one worker, else split into contiguous chunks that the pool's threads forecast side by side. A forecast
 * depends on its history alone, so the result is the same wherever it is made.
 */
async function forecastAll(
  model: StatisticalModelName,
  season: number,
  horizon: number,
  histories: readonly Float64Array[],
  placement: Placement,
): Promise<StatisticalResult> {
  if (placement.queue) {
    const { forecastOnQueue } = await import("../queue/index.ts");
    const tasks = chunkTasks(model, season, horizon, histories, placement.queue.unit_series);
    return joinResults(await forecastOnQueue(placement.queue, tasks), histories.length, horizon);
  }
  const { workers } = placement;
  if (workers === 1 || histories.length <= 1) {
    return forecastHistories(packHistories(model, season, horizon, histories));
  }
  const pool = poolOf(workers);
  const chunk = Math.ceil(histories.length / (workers * TASKS_PER_WORKER));
  const tasks = chunkTasks(model, season, horizon, histories, chunk);
  const results = await Promise.all(
    tasks.map((task) => pool.run(task, [task.values.buffer, task.lengths.buffer])),
  );
  return joinResults(results, histories.length, horizon);
}

/**
 * A statistical member: one model fitted to each history at forecast time, so the forecast from an origin
 * only ever sees the history before it, on `train.workers` threads or, with `queue.url`, as jobs for the
 * queue's workers (`queue.unit_series` histories a job). A history the model cannot fit is
 * forecast by seasonal naive instead, and counted in `training.fallbacks`.
 */
export function statisticalMember(name: StatisticalModelName): Member {
  return {
    name,
    fit(_series, context: FitContext): FittedMember {
      const training = { fallbacks: 0 };
      const { train, queue } = context.config;
      const workers = workerCount(train.workers);
      const placement: Placement = { workers, queue: queue.url ? queue : null };
      const forecast: ForecastFunction = async (requests, horizon) => {
        const histories = requests.map((r) => r.history);
        const { forecasts, fallbacks } = await forecastAll(
          name,
          context.season,
          horizon,
          histories,
          placement,
        );
        training.fallbacks += fallbacks;
        return histories.map((_, i) => forecasts.slice(i * horizon, (i + 1) * horizon));
      };
      return { name, beforeValidation: forecast, onAll: forecast, training };
    },
  };
}
