/**
 * A queue worker's thread for work units: trains or forecasts each unit it is given and answers with the
 * result as JSON-ready data (a per-series unit's model files, from a temporary folder), so the worker's own
 * thread stays free to renew the job's lock with Redis.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { forecastHistories } from "../forecasters/statistical-models.ts";
import { serveTasks } from "../parallel/index.ts";
import { type SeriesUnit, trainSeriesUnit } from "../train/series-units.ts";
import type { UnitJobName, UnitJobs, UnitTask } from "./jobs.ts";
import { type PackedModels, packModels } from "./packed-models.ts";
import { statisticalJobResult, statisticalTask } from "./statistical-jobs.ts";

async function trainUnit(unit: SeriesUnit): Promise<PackedModels> {
  const root = mkdtempSync(join(tmpdir(), "salescast-unit-"));
  try {
    // The worker's concurrency is its parallelism: each unit's statistical members stay on this thread,
    // never on the queue again (a unit waiting for units could hold every worker's slot).
    const config = {
      ...unit.config,
      train: { ...unit.config.train, workers: 1 },
      queue: { ...unit.config.queue, url: "" },
    };
    return packModels(await trainSeriesUnit({ ...unit, config }, root));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

serveTasks<UnitTask, UnitJobs[UnitJobName]["result"]>(async (task) => {
  switch (task.name) {
    case "series_models":
      return { result: await trainUnit(task.data) };
    case "statistical":
      return { result: statisticalJobResult(forecastHistories(statisticalTask(task.data))) };
  }
});
