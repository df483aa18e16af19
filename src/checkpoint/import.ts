import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { z } from "zod";
import {
  ARTIFACT_FORMAT_VERSION,
  type Artifact,
  type Normalization,
  saveArtifact,
} from "../artifact/index.ts";
import type { Frequency } from "../config/index.ts";
import { exportOnnx } from "../model/index.ts";
import type { Registration, Registry } from "../registry/index.ts";
import { openCheckpoint } from "./checkpoint-file.ts";
import { ORIGINAL_DEFAULTS } from "./defaults.ts";
import { CheckpointError } from "./errors.ts";
import { readCnnLstmStateDict } from "./state-dict.ts";

/** The original scales its input by `std + 1e-6` and its output back by `std`. */
export const ORIGINAL_STD_EPSILON = 1e-6;

export { ORIGINAL_DEFAULTS };

export interface ImportOptions {
  checkpoint: string;
  normalization: string;
  /** Import as this series' own model; without it, as the global model. */
  series?: string;
  windowSize: number;
  horizon: number;
  frequency: Frequency;
  season: number;
}

export interface ImportResult {
  artifact: Artifact;
  registration: Registration;
}

const finite = z.number().refine(Number.isFinite, "must be a finite number");
const originalStatsSchema = z.object({
  mean: finite,
  std: finite.refine((v) => v > 0, "must be > 0"),
});

/** The original's normalization file: `{"mean": number, "std": number}`. */
function readOriginalStats(file: string): { mean: number; std: number } {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new CheckpointError(`cannot read normalization file ${file}: ${(error as Error).message}`);
  }
  const parsed = originalStatsSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CheckpointError(`${file}: ${issue.path.join(".") || "(top level)"}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * Turns one of the original's checkpoints and its normalization file into a salescast artifact under
 * `artifactsRoot` and registers it (the global model, or the series' own model), promoted or not by the
 * registry's policy. Everything is read and checked before anything is written.
 */
export async function importCheckpoint(
  artifactsRoot: string,
  registry: Registry,
  options: ImportOptions,
): Promise<ImportResult> {
  const stats = readOriginalStats(options.normalization);
  const model = readCnnLstmStateDict(openCheckpoint(options.checkpoint), options);
  const { series } = options;
  const name = series === undefined ? "global" : `series:${series}`;
  const onnx = exportOnnx(model.spec, model.params, { docString: `salescast ${name}, imported` });
  const normalization: Normalization = {
    default: stats,
    series: series === undefined ? {} : { [series]: stats },
    input_std_epsilon: ORIGINAL_STD_EPSILON,
  };
  const unmeasured = { mae: null, rmse: null, smape: null, mase: null };
  const epochs = model.trainedEpochs ?? 0;
  const artifact = saveArtifact(artifactsRoot, {
    onnx,
    normalization,
    // A checkpoint carries no history to forecast from: the version answers the window routes only.
    forecasts: null,
    meta: {
      format_version: ARTIFACT_FORMAT_VERSION,
      name,
      scope: series === undefined ? "global" : "per_series",
      series: series === undefined ? [] : [series],
      frequency: options.frequency,
      window_size: options.windowSize,
      horizon: options.horizon,
      season: options.season,
      spec: { ...model.spec },
      config: {
        imported: {
          checkpoint: basename(options.checkpoint),
          normalization: basename(options.normalization),
          lightning_version: model.lightningVersion ?? null,
        },
      },
      validation: { model: unmeasured, naive: unmeasured, seasonal_naive: unmeasured },
      training: { epochs, best_epoch: epochs, seconds: 0, train_windows: 0, validation_windows: 0 },
    },
  });
  return { artifact, registration: await registry.register(artifact) };
}
