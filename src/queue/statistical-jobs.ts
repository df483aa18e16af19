import type { QueueConfig } from "../config/index.ts";
import type { StatisticalResult, StatisticalTask } from "../forecasters/statistical-models.ts";
import { openJobBatches } from "./job-batch.ts";
import type { StatisticalJob, StatisticalJobResult } from "./jobs.ts";

export const statisticalJob = (task: StatisticalTask): StatisticalJob => ({
  ...task,
  values: Array.from(task.values),
  lengths: Array.from(task.lengths),
});

export const statisticalTask = (job: StatisticalJob): StatisticalTask => ({
  ...job,
  values: Float64Array.from(job.values),
  lengths: Int32Array.from(job.lengths),
});

export const statisticalJobResult = (result: StatisticalResult): StatisticalJobResult => ({
  forecasts: Array.from(result.forecasts),
  fallbacks: result.fallbacks,
});

/** A statistical member's tasks forecast by the queue's workers, each task one job. */
export async function forecastOnQueue(
  config: QueueConfig,
  tasks: readonly StatisticalTask[],
): Promise<StatisticalResult[]> {
  const batches = await openJobBatches(config);
  try {
    const results = await batches.run("statistical", tasks.map(statisticalJob));
    return results.map(({ forecasts, fallbacks }) => ({
      forecasts: Float64Array.from(forecasts),
      fallbacks,
    }));
  } finally {
    await batches.close();
  }
}
