/** The schemas of the registry and training routes (TypeBox, i.e. JSON Schema), with their examples. */
import { type Static, Type } from "@fastify/type-provider-typebox";

const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

const Metrics = Type.Object({
  mae: NullableNumber,
  rmse: NullableNumber,
  smape: Type.Optional(NullableNumber),
  mase: NullableNumber,
  intervals: Type.Optional(
    Type.Record(Type.String(), NullableNumber, {
      description:
        "interval scores at the model's levels: coverage_80, msis_80, ..., and pinball (scaled like MASE); each origin calibrated on the others",
    }),
  ),
});

const EXAMPLE_METRICS = {
  model: {
    mae: 310.2,
    rmse: 402.7,
    smape: 0.41,
    mase: 0.82,
    intervals: { coverage_80: 0.81, coverage_95: 0.94, msis_80: 3.9, msis_95: 5.6, pinball: 0.19 },
  },
  naive: { mae: 378.5, rmse: 495.1, smape: 0.47, mase: 1 },
  seasonal_naive: { mae: 401.9, rmse: 520.3, smape: 0.5, mase: 1.06 },
};

const MeasuredOn = Type.Object(
  {
    horizon: Type.Integer(),
    series_count: Type.Integer(),
    series_sha256: Type.String({ description: "sha256 of the sorted series ids, one per line" }),
    origins: Type.Integer({ description: "cross-validation origins per series" }),
  },
  { description: "what the metrics were measured on: if_better compares only versions where this matches" },
);

const ValidationMetrics = Type.Object(
  {
    model: Metrics,
    naive: Metrics,
    seasonal_naive: Metrics,
    window_member: Type.Optional(Metrics),
    measured_on: Type.Optional(MeasuredOn),
  },
  {
    description:
      "cross-validation errors of the model (the ensemble), of the member serving the window routes, and of the naive and seasonal naive baselines (null: not computable)",
    examples: [EXAMPLE_METRICS],
  },
);

const Stage = Type.Union([Type.Literal("candidate"), Type.Literal("production"), Type.Literal("archived")], {
  description: "production serves (one per name); candidate awaits promotion; archived served before",
});

const EXAMPLE_VERSION = {
  id: 7,
  name: "global",
  version: 3,
  stage: "production",
  created_at: "2025-01-01T00:00:00.000Z",
  promoted_at: "2025-01-01T00:00:02.000Z",
  previous_production_id: 4,
  metrics: EXAMPLE_METRICS,
  architecture: "cnn_lstm",
  serving: true,
};

const versionFields = {
  id: Type.Integer({ description: "the registry's id of this version", examples: [7] }),
  name: Type.String({ description: '"global" or "series:<id>"', examples: ["global"] }),
  version: Type.Integer({ description: "1, 2, 3... per name; predictions name it as v<N>", examples: [3] }),
  stage: Stage,
  created_at: Type.String({ description: "when it was trained (ISO 8601)" }),
  promoted_at: Type.Union([Type.String(), Type.Null()], {
    description: "when it last became production, if it ever did",
  }),
  previous_production_id: Type.Union([Type.Integer(), Type.Null()], {
    description: "the version it replaced in production: where a rollback goes",
  }),
  metrics: ValidationMetrics,
  architecture: Type.String({
    description: "the network, as its training config's model.architecture names it: cnn_lstm or transformer",
    examples: ["transformer"],
  }),
  serving: Type.Boolean({ description: "this version answers predictions now" }),
};

export const RegisteredModel = Type.Object(versionFields, {
  description: "one registered version of a model",
  examples: [EXAMPLE_VERSION],
});

export const ModelListResponse = Type.Object(
  {
    models: Type.Array(RegisteredModel, {
      description: "every version of every model, by name then version",
    }),
  },
  { examples: [{ models: [EXAMPLE_VERSION] }] },
);

const ArtifactSummary = Type.Object(
  {
    scope: Type.String({ description: "global or per_series" }),
    series: Type.Array(Type.String(), { description: "the series it was trained on" }),
    frequency: Type.String({ description: "D, W or M" }),
    window_size: Type.Integer({ description: "values a forecast needs" }),
    horizon: Type.Integer({ description: "periods a forecast covers" }),
    season: Type.Integer({ description: "the seasonal period of seasonal naive and MASE" }),
    training: Type.Object({
      epochs: Type.Integer(),
      best_epoch: Type.Integer(),
      seconds: Type.Number(),
      train_windows: Type.Integer(),
      validation_windows: Type.Integer(),
    }),
    window_member: Type.Optional(
      Type.String({ description: "the member in model.onnx: it answers the window routes (format 2)" }),
    ),
    ensemble: Type.Optional(
      Type.Object(
        {
          method: Type.String({ description: "select, weighted, mean or pooled" }),
          members: Type.Array(Type.String()),
        },
        { description: "how the members' forecasts are combined per series (format 2)" },
      ),
    ),
    members: Type.Optional(
      Type.Record(
        Type.String(),
        Type.Object({
          cv: Metrics,
          seconds: Type.Number({ description: "time to cross-validate and fit it" }),
        }),
        {
          description:
            "each member's cross-validation errors on the same origins as metrics.model, the ensemble's (format 2)",
        },
      ),
    ),
    cv_origins: Type.Optional(
      Type.Integer({ description: "forecast origins per series of the cross-validation (format 2)" }),
    ),
    features: Type.Optional(
      Type.Object(
        {
          calendar: Type.Boolean({ description: "calendar features from the dates (data.calendar)" }),
          holidays: Type.Union(
            [
              Type.Object({
                country: Type.String(),
                region: Type.Optional(Type.String()),
                types: Type.Array(Type.String()),
              }),
              Type.Null(),
            ],
            {
              description:
                "the holiday calendar of its holiday features (data.holidays), for GET /api/holidays",
            },
          ),
          covariates: Type.Array(
            Type.Object({
              name: Type.String(),
              known_future: Type.Boolean({
                description: "known ahead: a request gives window + horizon values, else window values",
              }),
            }),
            { description: "the user covariates a request's covariates field gives, in order" },
          ),
        },
        { description: "what the window routes read beside the sales; a request needs start (format 3)" },
      ),
    ),
  },
  { description: "what the saved model says of itself (meta.json)" },
);

export const ModelDetailResponse = Type.Object(
  {
    ...versionFields,
    onnx_sha256: Type.String({ description: "checksum of model.onnx, verified on every load" }),
    training_config: Type.Unknown({
      description: "the data, model and train settings it was trained with (files and secrets left out)",
    }),
    artifact: Type.Union([ArtifactSummary, Type.Null()]),
    artifact_error: Type.Optional(
      Type.String({ description: "present when the artifact could not be read: why (it cannot serve)" }),
    ),
  },
  {
    description: "one version, with its artifact's shape and training record",
    examples: [
      {
        ...EXAMPLE_VERSION,
        onnx_sha256: "9f2c...",
        training_config: { model: { lstm_hidden: 64 }, train: { max_epochs: 30 } },
        artifact: {
          scope: "global",
          series: ["Beauty", "Clothing", "Electronics"],
          frequency: "D",
          window_size: 14,
          horizon: 1,
          season: 7,
          training: { epochs: 12, best_epoch: 7, seconds: 1.4, train_windows: 780, validation_windows: 204 },
          window_member: "linear",
          ensemble: { method: "weighted", members: ["seasonal_naive", "linear", "mstl"] },
          members: {
            seasonal_naive: { cv: EXAMPLE_METRICS.seasonal_naive, seconds: 0.01 },
            linear: { cv: { mae: 320.4, rmse: 410.2, smape: 0.42, mase: 0.85 }, seconds: 0.2 },
            mstl: { cv: { mae: 315.8, rmse: 405.9, smape: 0.41, mase: 0.84 }, seconds: 0.4 },
          },
          cv_origins: 3,
        },
      },
    ],
  },
);

export const ModelIdParams = Type.Object({
  id: Type.String({ description: "a model id from GET /api/models", examples: ["7"] }),
});

const ServingVersion = Type.Object({
  name: Type.String(),
  version: Type.String({ description: "v<N>" }),
  id: Type.Optional(Type.Integer()),
});

export const StageChangeResponse = Type.Object(
  {
    model: RegisteredModel,
    replaced: Type.Union([RegisteredModel, Type.Null()], {
      description: "the version that served before (now archived), if any",
    }),
    serving: Type.Union([ServingVersion, Type.Null()], {
      description: "the version of this name answering predictions once the swap is done",
    }),
  },
  {
    description: "the registry's change, and the serving model once hot-swapped",
    examples: [
      {
        model: EXAMPLE_VERSION,
        replaced: { ...EXAMPLE_VERSION, id: 4, version: 2, stage: "archived", serving: false },
        serving: { name: "global", version: "v3", id: 7 },
      },
    ],
  },
);

export const RollbackBody = Type.Object(
  {
    name: Type.Optional(
      Type.String({ minLength: 1, maxLength: 300, description: 'the model to roll back (default "global")' }),
    ),
  },
  { additionalProperties: false, examples: [{ name: "global" }, { name: "series:Beauty" }] },
);

/** The original Python service's training body: its client names categories and an experiment. */
const categoryFields = {
  categories: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 300 }), {
      maxItems: 10_000,
      description:
        "the original's body: train one model per category (per-series scope) and answer 200 once done; not " +
        "with series or overrides",
    }),
  ),
  experiment_name: Type.Optional(
    Type.String({ maxLength: 300, description: "the original's experiment name, echoed in the answer" }),
  ),
};

export const TrainBody = Type.Object(
  {
    series: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 300 }), {
        maxItems: 10_000,
        description: "the series to train on (train.series); all when absent or empty",
      }),
    ),
    overrides: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 2000 }), {
        maxItems: 100,
        description:
          "config overrides such as train.max_epochs=5, over the server's configuration; paths.*, registry.*, " +
          "server.* and data.csv_path are refused",
      }),
    ),
    ...categoryFields,
  },
  {
    additionalProperties: false,
    examples: [
      {},
      { series: ["Beauty", "Clothing"], overrides: ["train.max_epochs=5", "train.scope=per_series"] },
      { categories: ["Beauty"], experiment_name: "sales-forecast" },
    ],
  },
);

export const TrainAllBody = Type.Object(
  { experiment_name: categoryFields.experiment_name },
  { additionalProperties: false, examples: [{}] },
);

export const CategoriesTrainedResponse = Type.Object(
  {
    status: Type.Literal("success"),
    trained: Type.Array(Type.String(), {
      description: "the categories a model was trained and registered for",
    }),
    run_id: Type.String({ description: "the training run, as GET /api/train/{run_id} shows it" }),
    versions: Type.Array(Type.Integer(), {
      description: "the registry ids of the versions the run registered",
    }),
    experiment_name: Type.Optional(Type.String({ description: "as the request named it" })),
  },
  {
    description:
      "training has finished: one model per category, promoted by the registry's policy and swapped in",
    examples: [
      {
        status: "success",
        trained: ["Beauty"],
        run_id: "0b9e6f5e-2f0c-4a47-9a3a-8f3a1f0d2c11",
        versions: [12],
      },
    ],
  },
);

export const TrainStartedResponse = Type.Object(
  {
    run_id: Type.String({ description: "follow it with GET /api/train/{run_id}" }),
    scope: Type.String({ description: "global or per_series: one run at a time per scope" }),
    status: Type.String({ description: "queued" }),
  },
  { examples: [{ run_id: "0b9e6f5e-2f0c-4a47-9a3a-8f3a1f0d2c11", scope: "global", status: "queued" }] },
);

export const RunIdParams = Type.Object({
  run_id: Type.String({ maxLength: 100, description: "a run id from POST /api/train" }),
});

const Progress = Type.Object(
  {
    model: Type.String({
      description: 'the model and the member network being trained, e.g. "global network_on_linear"',
    }),
    epoch: Type.Integer(),
    max_epochs: Type.Integer({ description: "0 while the queue's workers train the units (no epochs seen)" }),
    train_loss: NullableNumber,
    val_loss: NullableNumber,
    units: Type.Optional(
      Type.Object(
        { done: Type.Integer(), total: Type.Integer() },
        { description: "a per-series run's work units: how many are done of all" },
      ),
    ),
  },
  { description: "the last epoch done" },
);

const Swapped = {
  name: Type.String(),
  version: Type.String(),
  id: Type.Optional(Type.Integer()),
};

const HotSwap = Type.Object(
  {
    loaded: Type.Array(Type.Object(Swapped), { description: "versions that serve from then on" }),
    failed: Type.Array(Type.Object({ ...Swapped, reason: Type.String() }), {
      description: "versions that could not be loaded: the ones before them keep serving",
    }),
  },
  { description: "present once the server has loaded what the run promoted (after the run ended)" },
);

export const TrainingRunResponse = Type.Object(
  {
    id: Type.String(),
    scope: Type.String({ description: "global or per_series" }),
    status: Type.Union(
      [Type.Literal("queued"), Type.Literal("running"), Type.Literal("succeeded"), Type.Literal("failed")],
      { description: "queued, running, succeeded or failed" },
    ),
    progress: Type.Union([Progress, Type.Null()]),
    created_at: Type.String(),
    started_at: Type.Union([Type.String(), Type.Null()]),
    ended_at: Type.Union([Type.String(), Type.Null()]),
    error: Type.Union([Type.String(), Type.Null()], { description: "why the run failed" }),
    model_ids: Type.Array(Type.Integer(), { description: "the versions it registered" }),
    hot_swap: Type.Optional(HotSwap),
  },
  {
    examples: [
      {
        id: "0b9e6f5e-2f0c-4a47-9a3a-8f3a1f0d2c11",
        scope: "global",
        status: "running",
        progress: {
          model: "global network_on_linear",
          epoch: 3,
          max_epochs: 30,
          train_loss: 0.41,
          val_loss: 0.52,
        },
        created_at: "2025-01-01T00:00:00.000Z",
        started_at: "2025-01-01T00:00:00.050Z",
        ended_at: null,
        error: null,
        model_ids: [],
      },
    ],
  },
);

export type RegisteredModelBody = Static<typeof RegisteredModel>;
export type ModelDetailBody = Static<typeof ModelDetailResponse>;
export type StageChangeBody = Static<typeof StageChangeResponse>;
