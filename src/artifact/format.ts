import { z } from "zod";

/** The files of one saved model, beside each other in one folder. */
export const ARTIFACT_FILES = {
  model: "model.onnx",
  normalization: "normalization.json",
  meta: "meta.json",
} as const;

export const ARTIFACT_FORMAT_VERSION = 1;

const finite = z.number().refine(Number.isFinite, "must be a finite number");

export const seriesStatsSchema = z.strictObject({
  mean: finite,
  std: finite.refine((v) => v > 0, "must be > 0"),
});

/**
 * Per-series stats from each series' training part, and `default`: the stats of all training parts pooled,
 * used for a forecast that names no series (as the original's single mean and std were).
 * `input_std_epsilon` is the rule of models trained elsewhere: the input is scaled by `std + epsilon`, the
 * output back by `std` alone (PyTorch checkpoints of the original use 1e-6). Absent means 0.
 */
export const normalizationSchema = z.strictObject({
  default: seriesStatsSchema,
  series: z.record(z.string(), seriesStatsSchema),
  input_std_epsilon: finite.refine((v) => v >= 0, "must be >= 0").optional(),
});

const metricsSchema = z.object({
  mae: z.number().nullable(),
  rmse: z.number().nullable(),
  smape: z.number().nullable().optional(),
  mase: z.number().nullable(),
});

export const metaSchema = z.object({
  format_version: z.literal(ARTIFACT_FORMAT_VERSION),
  name: z.string().min(1),
  scope: z.enum(["global", "per_series"]),
  series: z.array(z.string()),
  frequency: z.enum(["D", "W", "M"]),
  window_size: z.number().int().positive(),
  horizon: z.number().int().positive(),
  season: z.number().int().positive(),
  spec: z.object({ architecture: z.string() }).passthrough(),
  config: z.record(z.string(), z.unknown()),
  validation: z.object({ model: metricsSchema, naive: metricsSchema, seasonal_naive: metricsSchema }),
  training: z.object({
    epochs: z.number().int().nonnegative(),
    best_epoch: z.number().int().nonnegative(),
    seconds: z.number().nonnegative(),
    train_windows: z.number().int().nonnegative(),
    validation_windows: z.number().int().nonnegative(),
  }),
  created_at: z.string(),
  onnx_sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export type SeriesStats = z.infer<typeof seriesStatsSchema>;
export type Normalization = z.infer<typeof normalizationSchema>;
export type ArtifactMeta = z.infer<typeof metaSchema>;
export type MetricsRecord = z.infer<typeof metricsSchema>;
