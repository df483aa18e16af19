import type { QueueConfig } from "../config/index.ts";
import type { SeriesUnit, UnitRunner } from "../train/series-units.ts";
import { openJobBatches } from "./job-batch.ts";
import { unpackModels } from "./packed-models.ts";

/**
 * Runs the units of a per-series training as jobs on the workers of the queue at `config.url`, and writes the
 * models they return below `root`.
 */
export async function openQueueRunner(config: QueueConfig, root: string): Promise<UnitRunner> {
  const batches = await openJobBatches(config);
  return {
    async run(units: readonly SeriesUnit[], onDone?: (done: number) => void) {
      const results = await batches.run("series_models", units, onDone);
      return results.map((packed, i) => unpackModels(packed, units[i], root));
    },
    close: () => batches.close(),
  };
}
