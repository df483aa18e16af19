// The shapes the server answers with. They come from types.generated.ts, written from the server's own route
// schemas by `npm run gen:types`; the names below pick out the parts the pages pass around.
import type {
  Health,
  HolidayList,
  ModelDetail,
  ModelList,
  Prediction,
  SeriesForecast,
  SeriesList,
  TrainingRun,
} from "./types.generated.ts";

export type * from "./types.generated.ts";

export type SeriesSummary = SeriesList["series"][number];
export type Frequency = SeriesSummary["frequency"];

/** A model the server has loaded, as predictions name it. */
export type ModelInfo = Prediction["model"];
/** A model GET /api/health lists, with the series it has statistics for. */
export type ServingModel = Health["models"][number];

export type ModelVersion = ModelList["models"][number];
export type Stage = ModelVersion["stage"];
/** Validation metrics of a model and of the two baselines on the same windows. */
export type ValidationMetrics = ModelVersion["metrics"];
export type AccuracyMetrics = ValidationMetrics["model"];
/** What a saved model says of itself; format 2 adds its members and their cross-validation. */
export type ArtifactSummary = NonNullable<ModelDetail["artifact"]>;
export type MemberRecord = NonNullable<ArtifactSummary["members"]>[string];
/** What a model with features reads beside the sales (format 3): a window route needs start and covariates. */
export type ModelFeatures = NonNullable<ArtifactSummary["features"]>;
export type HolidayCalendar = NonNullable<ModelFeatures["holidays"]>;
export type Holiday = HolidayList["holidays"][number];

export type ForecastPoint = SeriesForecast["forecast"][number];

export type RunStatus = TrainingRun["status"];
export type TrainProgress = NonNullable<TrainingRun["progress"]>;
