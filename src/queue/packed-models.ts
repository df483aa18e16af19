import { writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { artifactFromFiles, readArtifactFiles, writeFolderAtomic } from "../artifact/index.ts";
import type { TrainedGroup } from "../train/fit-group.ts";
import type { SeriesUnit } from "../train/series-units.ts";

/** A unit's models as JSON for the queue: each model's folder name and files (base64), and its seconds. */
export interface PackedModels {
  models: { folder: string; files: Record<string, string>; seconds: number }[];
}

/** Reads the unit's saved models back into plain data, to travel as the job's result. */
export function packModels(trained: readonly TrainedGroup[]): PackedModels {
  return {
    models: trained.map(({ artifact, seconds }) => ({
      folder: basename(artifact.folder),
      files: Object.fromEntries(
        [...readArtifactFiles(artifact.folder)].map(([name, bytes]) => [
          name,
          Buffer.from(bytes).toString("base64"),
        ]),
      ),
      seconds,
    })),
  };
}

/**
 * Checks a unit's models as the registry will and writes them below `root`, each folder whole or not at all;
 * the unit's series give each model its own.
 */
export function unpackModels(packed: PackedModels, unit: SeriesUnit, root: string): TrainedGroup[] {
  if (packed.models.length !== unit.series.length) {
    throw new Error(
      `work unit ${unit.index} returned ${packed.models.length} models for ${unit.series.length} series`,
    );
  }
  return packed.models.map(({ folder: name, files, seconds }, i) => {
    if (!/^[\w-]+$/.test(name))
      throw new Error(`work unit ${unit.index} returned a bad folder name "${name}"`);
    const bytes = new Map(Object.entries(files).map(([file, text]) => [file, Buffer.from(text, "base64")]));
    const folder = join(root, name);
    // Checked before anything is written: a unit's bad model never reaches the disk.
    const artifact = artifactFromFiles(folder, bytes);
    writeFolderAtomic(folder, (temp) => {
      for (const [file, content] of bytes) writeFileSync(join(temp, basename(file)), content);
    });
    const { id, start, values } = unit.series[i];
    return {
      artifact,
      series: [{ id, frequency: unit.frequency, start, values: Float64Array.from(values) }],
      seconds,
    };
  });
}
