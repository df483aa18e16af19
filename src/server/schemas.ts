/**
 * The request and response schemas of the HTTP API (TypeBox, i.e. JSON Schema): they validate requests,
 * serialize responses, and make the OpenAPI document with its examples.
 */
import { type Static, Type } from "@fastify/type-provider-typebox";
import { LevelField } from "./levels.ts";

const EXAMPLE_SERIES = [100, 120, 90, 110, 130, 95, 105, 115, 125, 85, 100, 140, 120, 110];

const EXAMPLE_MODEL = {
  name: "global",
  version: "v3",
  id: 7,
  scope: "global",
  window_size: 14,
  horizon: 1,
  frequency: "D",
  created_at: "2025-01-01T00:00:00.000Z",
};

const SeriesValues = Type.Array(Type.Number(), {
  description:
    "sales of the last window_size periods, oldest first (as many values as the model's window_size)",
  examples: [EXAMPLE_SERIES],
});

/** The fields a model with features reads (README, Covariates): the window's first date and covariate values. */
const featureFields = {
  start: Type.Optional(
    Type.String({
      description:
        "first date of the window (YYYY-MM-DD): required by a model with calendar or holiday features; for a stored series it defaults to the window ending at its last training date",
      examples: ["2012-08-03"],
    }),
  ),
  covariates: Type.Optional(
    Type.Record(Type.String(), Type.Array(Type.Number()), {
      description:
        "each covariate of the model by name: window_size + horizon values for a known-future one, window_size for a past-only one",
      examples: [{ Holiday_Flag: [0, 0, 0, 0, 1, 0], Temperature: [71.2, 70.5, 68.9, 66.1] }],
    }),
  ),
};

export const PredictBody = Type.Object(
  { series: SeriesValues, level: LevelField, ...featureFields },
  {
    additionalProperties: false,
    examples: [{ series: EXAMPLE_SERIES, level: [80, 95] }],
  },
);

/** Bands by level (`"80"`), one value per step; lower bounds clipped at 0 like the forecasts. */
export const IntervalsSchema = Type.Record(
  Type.String(),
  Type.Object({ lower: Type.Array(Type.Number()), upper: Type.Array(Type.Number()) }),
  {
    description:
      "prediction intervals by level (percent), calibrated on the model's cross-validation errors: conformal, or scaled by a network's quantile head where that scored better (then for its trained levels only); absent when none were asked for or the model has no calibration (see notes)",
  },
);

export const NotesSchema = Type.Array(Type.String(), {
  description: "why something asked for is missing (e.g. intervals from a model without calibration)",
});

export const SeriesParams = Type.Object({
  series_id: Type.String({
    description: "a series the serving models were trained on",
    examples: ["Beauty"],
  }),
});

const modelFields = {
  name: Type.String({ description: '"global" or "series:<id>"' }),
  version: Type.String({
    description: 'the version that answered: "v<N>" for a registry version, else the artifact folder\'s name',
  }),
  id: Type.Optional(
    Type.Integer({ description: "the registry's id of this version (GET /api/models/{id})" }),
  ),
  scope: Type.String({ description: "global or per_series" }),
  window_size: Type.Integer({ description: "values a forecast needs" }),
  horizon: Type.Integer({ description: "periods a forecast covers" }),
  frequency: Type.String({ description: "D, W or M" }),
  created_at: Type.String({ description: "when the model was trained (ISO 8601)" }),
};

const ModelSummary = Type.Object(
  {
    ...modelFields,
    series_id: Type.Optional(Type.String({ description: "the series whose statistics scaled the input" })),
  },
  { description: "the model that answered" },
);

export const PredictResponse = Type.Object(
  {
    predicted_sales: Type.Number({ description: "the forecast for the next period" }),
    forecast: Type.Array(Type.Number(), { description: "the forecast for each period of the horizon" }),
    intervals: Type.Optional(IntervalsSchema),
    notes: Type.Optional(NotesSchema),
    model: ModelSummary,
  },
  {
    description: "a forecast",
    examples: [
      {
        predicted_sales: 112.4,
        forecast: [112.4],
        intervals: { "80": { lower: [96.2], upper: [128.6] }, "95": { lower: [84.9], upper: [139.9] } },
        model: { ...EXAMPLE_MODEL, series_id: "Beauty" },
      },
    ],
  },
);

const BatchItem = Type.Object(
  {
    series_id: Type.Optional(
      Type.String({
        description: "the series to forecast; without it, the default model and its pooled statistics",
      }),
    ),
    series: SeriesValues,
    ...featureFields,
  },
  { additionalProperties: false },
);

/** The batch body; `maxItems` is the server's `batch_max_items`. */
export function batchBody(maxItems: number) {
  return Type.Object(
    { items: Type.Array(BatchItem, { minItems: 1, maxItems }), level: LevelField },
    {
      additionalProperties: false,
      examples: [
        {
          items: [
            { series_id: "Beauty", series: EXAMPLE_SERIES },
            { series: EXAMPLE_SERIES.map((v) => v * 2) },
          ],
        },
      ],
    },
  );
}

export const BatchResponse = Type.Object(
  { results: Type.Array(PredictResponse, { description: "one forecast per item, in the items' order" }) },
  { description: "the forecasts" },
);

const ModelListing = Type.Object({
  ...modelFields,
  series: Type.Array(Type.String(), { description: "the series this model has statistics for" }),
});

const LoadFailure = Type.Object({
  name: Type.String(),
  version: Type.String(),
  id: Type.Optional(Type.Integer()),
  reason: Type.String({ description: "why it could not be loaded" }),
  at: Type.String({ description: "when it last failed (ISO 8601)" }),
});

export const HealthResponse = Type.Object(
  {
    status: Type.Literal("ok"),
    models_loaded: Type.Integer(),
    models: Type.Array(ModelListing, { description: "the model versions answering predictions now" }),
    message: Type.Optional(Type.String({ description: "present when no model is loaded: how to get one" })),
    load_failures: Type.Optional(
      Type.Array(LoadFailure, {
        description:
          "present when a production version could not be loaded: the version before it (or none) serves its name",
      }),
    ),
  },
  {
    description: "the server is up; the models it serves",
    examples: [
      { status: "ok", models_loaded: 1, models: [{ ...EXAMPLE_MODEL, series: ["Beauty", "Clothing"] }] },
    ],
  },
);

const errorFields = {
  error: Type.String({ description: "a stable code, such as invalid_request or unknown_series" }),
  message: Type.String({ description: "what is wrong, for people" }),
  details: Type.Optional(
    Type.Array(Type.Object({ field: Type.String(), message: Type.String() }), {
      description: "the field that failed validation",
    }),
  ),
};

export const ErrorResponse = Type.Object(errorFields);

const ERROR_DESCRIPTIONS = {
  400: "the body is not JSON, or does not match the schema",
  401: "the route changes state and the admin bearer token is missing or wrong",
  404: "no model serves this series",
  409: "the registry's state does not allow it",
  413: "the body is over the size limit",
  415: "the body is not application/json",
  422: "a series has the wrong length or a value that is not finite",
  500: "a server fault",
  503: "no model can answer",
} as const;

type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

/** Response schemas for these error statuses, all in the one error shape. */
export function errorResponses<const S extends ErrorStatus>(...statuses: S[]) {
  return Object.fromEntries(
    statuses.map((status) => [status, Type.Object(errorFields, { description: ERROR_DESCRIPTIONS[status] })]),
  ) as Record<S, typeof ErrorResponse>;
}

/** An error response with its own description, for a status whose meaning depends on the route. */
export function errorResponse(description: string) {
  return Type.Object(errorFields, { description });
}

export type PredictRequestBody = Static<typeof PredictBody>;
export type PredictResponseBody = Static<typeof PredictResponse>;
export type HealthResponseBody = Static<typeof HealthResponse>;
export type ErrorBody = Static<typeof ErrorResponse>;
