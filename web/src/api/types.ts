// The shapes the server answers with (see /docs for the OpenAPI spec). Plain data, read as JSON.

export type Frequency = "D" | "W" | "M";

export interface SeriesSummary {
  id: string;
  frequency: Frequency;
  length: number;
  first_date: string;
  last_date: string;
  last_value: number;
}

export interface SeriesHistory {
  id: string;
  frequency: Frequency;
  dates: string[];
  values: number[];
}

/** A model the server has loaded, as predictions name it. */
export interface ModelInfo {
  /** "global" or "series:<id>" */
  name: string;
  version: string;
  window_size: number;
  horizon: number;
  created_at: string;
}

/** A model GET /api/health lists, with the series it has statistics for. */
export interface ServingModel extends ModelInfo {
  series: string[];
}

export interface Health {
  status: string;
  models_loaded: number;
  models: ServingModel[];
  /** Present when no model is loaded: how to get one. */
  message?: string;
}

export interface Prediction {
  predicted_sales: number;
  forecast: number[];
  model: ModelInfo;
}

export interface AccuracyMetrics {
  mae: number | null;
  rmse: number | null;
  smape?: number | null;
  mase: number | null;
}

/** Validation metrics of a model and of the two baselines on the same windows. */
export interface ValidationMetrics {
  model: AccuracyMetrics;
  naive: AccuracyMetrics;
  seasonal_naive: AccuracyMetrics;
}

export type Stage = "candidate" | "production" | "archived";

export interface ModelVersion {
  id: number;
  /** "global" or "series:<id>" */
  name: string;
  version: number;
  stage: Stage;
  created_at: string;
  promoted_at: string | null;
  metrics: ValidationMetrics;
  /** The network: cnn_lstm or transformer. */
  architecture: string;
}

export interface ModelList {
  models: ModelVersion[];
}

export type RunStatus = "queued" | "running" | "succeeded" | "failed";

export interface TrainProgress {
  model?: string;
  epoch: number;
  max_epochs: number;
  train_loss: number | null;
  val_loss: number | null;
}

export interface TrainingRun {
  status: RunStatus;
  progress: TrainProgress | null;
  metrics?: unknown;
  error: string | null;
  model_ids?: number[];
}

export interface TrainStarted {
  run_id: string;
}
