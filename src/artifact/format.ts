import { z } from "zod";

/** The files of one saved model, beside each other in one folder. */
export const ARTIFACT_FILES = {
  model: "model.onnx",
  normalization: "normalization.json",
  meta: "meta.json",
} as const;

/**
 * Format 2 (an ensemble of members) adds the stored forecasts of every series it was trained on; format 4
 * keeps their numbers beside it in forecasts.bin (forecasts-bin.ts).
 */
export const FORECASTS_FILE = "forecasts.json";

/**
 * 1: one CNN-LSTM with per-series normalization. 2: an ensemble of members, the window member in model.onnx,
 * the normalization mode, every member's cross-validation metrics, and forecasts.json. 3: as 2, with the
 * features (`meta.features`) that model.onnx's second input `covariates` takes. 4: as 2 or 3 (with
 * `meta.features` when model.onnx takes covariates), the stored forecasts' numbers in forecasts.bin. All load.
 */
export const ARTIFACT_FORMAT_VERSION = 2;
export const FEATURES_FORMAT_VERSION = 3;
export const BINARY_FORECASTS_FORMAT_VERSION = 4;

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
  /** How model.onnx's input windows are scaled: absent (format 1) means `series`. */
  mode: z.enum(["series", "window"]).optional(),
  default: seriesStatsSchema,
  series: z.record(z.string(), seriesStatsSchema),
  input_std_epsilon: finite.refine((v) => v >= 0, "must be >= 0").optional(),
});

const metricsSchema = z.object({
  mae: z.number().nullable(),
  rmse: z.number().nullable(),
  smape: z.number().nullable().optional(),
  mase: z.number().nullable(),
  /** Interval scores (`coverage_80`, `msis_80`, ..., `pinball`), for versions saved since intervals exist. */
  intervals: z.record(z.string(), z.number().nullable()).optional(),
});

/** What validation metrics were measured on: versions compare only when this is the same. */
const measuredOnSchema = z.object({
  horizon: z.number().int().positive(),
  series_count: z.number().int().nonnegative(),
  /** sha256 of the sorted series ids, one per line. */
  series_sha256: z.string().regex(/^[0-9a-f]{64}$/),
  origins: z.number().int().nonnegative(),
});

const memberRecordSchema = z.object({
  cv: metricsSchema,
  seconds: z.number().nonnegative(),
  training: z.record(z.string(), z.number()).optional(),
});

/**
 * Format 3: model.onnx's `covariates` input [batch, window + horizon, names.length], column f standardized by
 * mean[f] and std[f]; the calendar and holiday columns are rebuilt from the dates as at training, the last
 * `covariates` columns are the user's covariates, known ahead where `known_future` says.
 */
export const featuresMetaSchema = z.strictObject({
  names: z.array(z.string().min(1)),
  known_future: z.array(z.boolean()),
  covariates: z.number().int().nonnegative(),
  mean: z.array(finite),
  std: z.array(finite.refine((v) => v > 0, "must be > 0")),
  calendar: z.boolean(),
  holidays: z
    .strictObject({ country: z.string(), region: z.string().optional(), types: z.array(z.string()) })
    .nullable(),
});

export const metaSchema = z.object({
  format_version: z.union([
    z.literal(1),
    z.literal(ARTIFACT_FORMAT_VERSION),
    z.literal(FEATURES_FORMAT_VERSION),
    z.literal(BINARY_FORECASTS_FORMAT_VERSION),
  ]),
  features: featuresMetaSchema.optional(),
  name: z.string().min(1),
  scope: z.enum(["global", "per_series"]),
  series: z.array(z.string()),
  frequency: z.enum(["D", "W", "M"]),
  window_size: z.number().int().positive(),
  horizon: z.number().int().positive(),
  season: z.number().int().positive(),
  spec: z.object({ architecture: z.string() }).passthrough(),
  config: z.record(z.string(), z.unknown()),
  /**
   * Format 2: cross-validation on the last origins of the training data, by the same procedure that fitted
   * the saved weights on all of it; `model` is the ensemble's, `window_member` the serving member's.
   */
  validation: z.object({
    model: metricsSchema,
    naive: metricsSchema,
    seasonal_naive: metricsSchema,
    window_member: metricsSchema.optional(),
    measured_on: measuredOnSchema.optional(),
  }),
  /** Format 2: the member in model.onnx (it answers the window routes) and every member's record. */
  window_member: z.string().optional(),
  ensemble: z.object({ method: z.string(), members: z.array(z.string()) }).optional(),
  members: z.record(z.string(), memberRecordSchema).optional(),
  forecasts_sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  training: z.object({
    epochs: z.number().int().nonnegative(),
    best_epoch: z.number().int().nonnegative(),
    refit_epochs: z.number().int().nonnegative().optional(),
    seconds: z.number().nonnegative(),
    train_windows: z.number().int().nonnegative(),
    validation_windows: z.number().int().nonnegative(),
  }),
  created_at: z.string(),
  onnx_sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

/**
 * An array of numbers that all pass `holds`, checked in one loop: stored forecasts hold millions of numbers,
 * and a schema per element made reading a model of 100k series take seconds.
 */
const numbersWhere = (holds: (value: number) => boolean, rule: string) =>
  z.custom<number[]>(
    (value) => Array.isArray(value) && value.every((v) => typeof v === "number" && holds(v)),
    `must be an array of ${rule}`,
  );
const finiteNumbers = numbersWhere(Number.isFinite, "finite numbers");
const strings = z.custom<string[]>(
  (value) => Array.isArray(value) && value.every((v) => typeof v === "string"),
  "must be an array of strings",
);
/** Conformal scores per horizon step, each step's ascending. */
const stepScoresSchema = z.array(numbersWhere((v) => Number.isFinite(v) && v >= 0, "finite numbers >= 0"));

const nonNegative = finite.refine((v) => v >= 0, "must be >= 0");

/**
 * What intervals are made from (src/intervals): conformal scores from the cross-validation errors. `pooled`
 * are the ensemble's over all series (in units of each series' scale), `window` the window member's (in units
 * of the std that scales its input window), for the window routes. With `method` "head_scaled" the stored
 * forecasts' bands are instead each series' head half-widths (`interval.widths`) times `head_scaled`'s
 * quantile of the level, for the levels it names only.
 */
export const calibrationSchema = z
  .strictObject({
    method: z.enum(["conformal", "head_scaled"]),
    pooled: stepScoresSchema,
    window: stepScoresSchema,
    head_scaled: z
      .strictObject({ member: z.string(), quantiles: z.record(z.string(), nonNegative) })
      .optional(),
  })
  .refine(
    (c) => (c.method === "head_scaled") === (c.head_scaled !== undefined),
    "head_scaled must be given exactly when method is head_scaled",
  );

/**
 * Each trained series' forecast from the end of its training data: the ensemble's, and every member's; with
 * `calibration` (models saved since intervals exist), each series' `interval`: the scale of its history and
 * its own scores per step.
 */
export const forecastsSchema = z.strictObject({
  horizon: z.number().int().positive(),
  calibration: calibrationSchema.optional(),
  series: z.record(
    z.string(),
    z.strictObject({
      dates: strings,
      values: finiteNumbers,
      members: z.record(z.string(), finiteNumbers),
      weights: z.record(z.string(), finite),
      interval: z
        .strictObject({
          scale: finite.refine((v) => v > 0, "must be > 0"),
          scores: stepScoresSchema,
          /** Per level name, the quantile head's half-widths at each step (head-scaled calibrations). */
          widths: z
            .record(
              z.string(),
              numbersWhere((v) => Number.isFinite(v) && v >= 0, "finite numbers >= 0"),
            )
            .optional(),
        })
        .optional(),
    }),
  ),
});

export type StoredForecasts = z.infer<typeof forecastsSchema>;
export type Calibration = z.infer<typeof calibrationSchema>;
export type MeasuredOn = z.infer<typeof measuredOnSchema>;
export type SeriesStats = z.infer<typeof seriesStatsSchema>;
export type Normalization = z.infer<typeof normalizationSchema>;
export type ArtifactMeta = z.infer<typeof metaSchema>;
export type FeaturesMeta = z.infer<typeof featuresMetaSchema>;
export type MetricsRecord = z.infer<typeof metricsSchema>;
