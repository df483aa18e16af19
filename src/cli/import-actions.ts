import { importCheckpoint } from "../checkpoint/index.ts";
import { type Frequency, loadConfig } from "../config/index.ts";
import { Registry, removeStalePartials } from "../registry/index.ts";
import { parsePositiveInt, UsageError } from "./errors.ts";
import { describeRegistration } from "./models-actions.ts";

export interface ImportFlags {
  checkpoint: string;
  normalization: string;
  series?: string;
  windowSize: string;
  horizon: string;
  frequency: string;
  season: string;
  config: string;
}

const FREQUENCIES = ["D", "W", "M"];

/** `salescast import-checkpoint`: a checkpoint of the original service as a registered model. */
export async function importCommand(overrides: string[], flags: ImportFlags): Promise<void> {
  if (!FREQUENCIES.includes(flags.frequency)) {
    throw new UsageError(`--frequency must be D, W or M, got '${flags.frequency}'`);
  }
  if (flags.series !== undefined && (flags.series.length === 0 || flags.series.length > 300)) {
    throw new UsageError("--series must be a series id of 1 to 300 characters");
  }
  const options = {
    checkpoint: flags.checkpoint,
    normalization: flags.normalization,
    series: flags.series,
    windowSize: parsePositiveInt("--window-size", flags.windowSize),
    horizon: parsePositiveInt("--horizon", flags.horizon),
    frequency: flags.frequency as Frequency,
    season: parsePositiveInt("--season", flags.season),
  };
  const config = loadConfig(flags.config, overrides);
  removeStalePartials(config.paths.artifacts);
  const registry = await Registry.open(config.registry);
  try {
    const { artifact, registration } = await importCheckpoint(config.paths.artifacts, registry, options);
    console.log(`${artifact.meta.name}: saved ${artifact.folder}`);
    console.log(`  ${describeRegistration(registration)}`);
  } finally {
    await registry.close();
  }
}
