import { WorkerPool } from "../parallel/index.ts";
import type { UnitJobName, UnitJobs, UnitTask } from "../queue/jobs.ts";
import { type PackedModels, unpackModels } from "../queue/packed-models.ts";
import type { UnitRunner } from "./series-units.ts";

const UNIT_THREAD = new URL("../queue/unit-thread.ts", import.meta.url);

/**
 * Units trained on `threads` threads of this process, as a queue worker trains them: each unit whole on one
 * thread (its networks and its statistical members), its models checked and written here. A series' model
 * is the same whatever the thread count: units share nothing, and each trains with one worker.
 */
export function threadedUnits(root: string, threads: number): UnitRunner {
  const pool = new WorkerPool<UnitTask, UnitJobs[UnitJobName]["result"]>(UNIT_THREAD, threads, "unit");
  return {
    async run(units, onDone) {
      let done = 0;
      return Promise.all(
        units.map(async (unit) => {
          const packed = (await pool.run({ name: "series_models", data: unit })) as PackedModels;
          const trained = unpackModels(packed, unit, root);
          onDone?.(++done);
          return trained;
        }),
      );
    },
    close: () => pool.close(),
  };
}
