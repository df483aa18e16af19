import { z } from "zod";
import type { TrainConfig } from "../config/index.ts";

export const STAGES = ["candidate", "production", "archived"] as const;
export type Stage = (typeof STAGES)[number];

export const RUN_STATUSES = ["queued", "running", "succeeded", "failed"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export type TrainScope = TrainConfig["scope"];

const metricsSchema = z.object({
  mae: z.number().nullable(),
  rmse: z.number().nullable(),
  smape: z.number().nullable().optional(),
  mase: z.number().nullable(),
  intervals: z.record(z.string(), z.number().nullable()).optional(),
});

/** What a version's validation metrics were measured on (artifact format 2); absent for older versions. */
const measuredOnSchema = z.object({
  horizon: z.number(),
  series_count: z.number(),
  series_sha256: z.string(),
  origins: z.number(),
});
export type MeasuredOn = z.infer<typeof measuredOnSchema>;

/** The validation metrics of an artifact's meta.json, as stored in models.metrics. */
export const validationMetricsSchema = z.object({
  model: metricsSchema,
  naive: metricsSchema,
  seasonal_naive: metricsSchema,
  window_member: metricsSchema.optional(),
  measured_on: measuredOnSchema.optional(),
});
export type ValidationMetrics = z.infer<typeof validationMetricsSchema>;

/** One registered version of a model, as the registry hands it out. */
export interface ModelVersion {
  id: number;
  /** "global" or "series:<id>" */
  name: string;
  /** 1, 2, 3... per name */
  version: number;
  stage: Stage;
  created_at: string;
  promoted_at: string | null;
  previous_production_id: number | null;
  /** Absolute path of the artifact folder. */
  folder: string;
  onnx_sha256: string;
  metrics: ValidationMetrics;
  /** The configuration the model was trained with. */
  config: Record<string, unknown>;
}

/** What a server needs to load the versions that serve. */
export interface ProductionModel {
  id: number;
  name: string;
  version: number;
  folder: string;
}

export const runProgressSchema = z.object({
  /**
   * The model and the member network being trained, e.g. "global network_on_linear" or "series:Beauty network";
   * "work units" when the queue's workers train them (no epochs seen here: epoch and max_epochs are 0).
   */
  model: z.string(),
  epoch: z.number().int().nonnegative(),
  max_epochs: z.number().int().nonnegative(),
  /** null where the loss was not a finite number (JSON has no NaN) */
  train_loss: z.number().nullable(),
  val_loss: z.number().nullable(),
  /** A per-series run's work units: how many are done of all. */
  units: z
    .strictObject({ done: z.number().int().nonnegative(), total: z.number().int().positive() })
    .optional(),
});
export type RunProgress = z.infer<typeof runProgressSchema>;

export interface TrainingRun {
  id: string;
  scope: TrainScope;
  status: RunStatus;
  progress: RunProgress | null;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  error: string | null;
  /** The model versions the run registered. */
  model_ids: number[];
}

export type RunOutcome =
  | { status: "succeeded"; modelIds: readonly number[] }
  | { status: "failed"; error: string; modelIds?: readonly number[] };

/** A JSON column read back through a schema: text (SQLite) or already parsed (PostgreSQL's jsonb). */
export const jsonColumn = <T extends z.ZodType>(schema: T) =>
  z
    .unknown()
    .transform((value) => (typeof value === "string" ? (JSON.parse(value) as unknown) : value))
    .pipe(schema);
