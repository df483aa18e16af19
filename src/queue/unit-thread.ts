/**
 * A queue worker's thread for work units: trains each unit it is given into a temporary folder and answers
 * with the models' files, so the worker's own thread stays free to renew the job's lock with Redis.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveTasks } from "../parallel/index.ts";
import { type SeriesUnit, trainSeriesUnit } from "../train/series-units.ts";
import { packModels } from "./packed-models.ts";

serveTasks(async (unit: SeriesUnit) => {
  const root = mkdtempSync(join(tmpdir(), "salescast-unit-"));
  try {
    // The worker's concurrency is its parallelism: each unit's statistical members stay on its thread.
    const config = { ...unit.config, train: { ...unit.config.train, workers: 1 } };
    return { result: packModels(await trainSeriesUnit({ ...unit, config }, root)) };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
