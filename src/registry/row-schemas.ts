import { z } from "zod";
import { jsonColumn, RUN_STATUSES, runProgressSchema, STAGES, validationMetricsSchema } from "./records.ts";

/** A models row as both backends return it (the folder as stored; JSON as text or already parsed). */
export const modelRowSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  version: z.number().int(),
  stage: z.enum(STAGES),
  created_at: z.string(),
  promoted_at: z.string().nullable(),
  previous_production_id: z.number().int().nullable(),
  artifact_folder: z.string(),
  onnx_sha256: z.string(),
  metrics: jsonColumn(validationMetricsSchema),
  config: jsonColumn(z.record(z.string(), z.unknown())),
});

/** A training_runs row as both backends return it. */
export const runRowSchema = z.object({
  id: z.string(),
  scope: z.enum(["global", "per_series"]),
  status: z.enum(RUN_STATUSES),
  progress: jsonColumn(runProgressSchema).nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  ended_at: z.string().nullable(),
  error: z.string().nullable(),
});
