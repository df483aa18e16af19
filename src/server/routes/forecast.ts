import { Readable } from "node:stream";
import { type Static, Type } from "@fastify/type-provider-typebox";
import {
  checkStoredForecast,
  forecastCsvChunks,
  storedCsvSeries,
  storedSeriesForecast,
} from "../../forecast/index.ts";
import type { SalescastApp } from "../base-app.ts";
import { HttpError } from "../errors.ts";
import { LevelQueryField, levelsFromQuery } from "../levels.ts";
import { errorResponses, IntervalsSchema, NotesSchema, SeriesParams } from "../schemas.ts";
import type { Lease, ServingModel, ServingModelInfo, ServingModels } from "../serving-models.ts";

const HorizonQuery = Type.Object({
  horizon: Type.Optional(
    Type.String({
      pattern: "^[1-9][0-9]{0,5}$",
      description: "periods to return, at most the trained horizon (default: all of them)",
      examples: ["7"],
    }),
  ),
  level: LevelQueryField,
});

const ModelInfoSchema = Type.Object(
  {
    name: Type.String(),
    version: Type.String(),
    id: Type.Optional(Type.Integer()),
    scope: Type.String(),
    window_size: Type.Integer(),
    horizon: Type.Integer(),
    frequency: Type.String(),
    created_at: Type.String(),
  },
  { description: "the version whose stored forecast this is" },
);

const SeriesForecastFields = {
  series_id: Type.String(),
  forecast: Type.Array(Type.Object({ date: Type.String(), value: Type.Number() }), {
    description: "the ensemble's forecast from the end of the series' training data, one value per period",
  }),
  members: Type.Record(Type.String(), Type.Array(Type.Number()), {
    description: "each member's own forecast, by member name",
  }),
  intervals: Type.Optional(IntervalsSchema),
  notes: Type.Optional(NotesSchema),
};

export const SeriesForecastResponse = Type.Object(
  { ...SeriesForecastFields, model: ModelInfoSchema },
  {
    description: "a stored series' forecast",
    examples: [
      {
        series_id: "Beauty",
        model: {
          name: "global",
          version: "v3",
          scope: "global",
          window_size: 14,
          horizon: 2,
          frequency: "D",
          created_at: "2025-01-01T00:00:00.000Z",
        },
        forecast: [
          { date: "2024-01-02", value: 412.5 },
          { date: "2024-01-03", value: 398.1 },
        ],
        members: { linear: [420.1, 401.9], mstl: [405.0, 394.3] },
        intervals: {
          "80": { lower: [371.0, 352.2], upper: [454.0, 444.0] },
          "95": { lower: [340.6, 318.8], upper: [484.4, 477.4] },
        },
      },
    ],
  },
);

export const AllForecastsResponse = Type.Object(
  {
    series: Type.Array(Type.Object({ ...SeriesForecastFields, model: ModelInfoSchema })),
  },
  { description: "the stored forecast of every series a serving model was trained on" },
);

export type SeriesForecastBody = Static<typeof SeriesForecastResponse>;

function parsedHorizon(query: Static<typeof HorizonQuery>): number | undefined {
  return query.horizon === undefined ? undefined : Number(query.horizon);
}

/**
 * `GET /api/forecast/{series_id}` and `GET /api/forecast`: the forecasts stored with the serving version at
 * training, read from memory, never recomputed (no CSV, no refit).
 */
export interface ForecastRouteDeps {
  models: ServingModels;
  /** The interval levels of a request that names none (`model.levels`). */
  defaultLevels: readonly number[];
}

export function registerForecastRoutes(
  app: SalescastApp,
  { models, defaultLevels }: ForecastRouteDeps,
): void {
  const forecastOf = (seriesId: string, horizon: number | undefined, levels: readonly number[]) => {
    const lease = models.acquireForSeries(seriesId);
    if (!lease) throw new HttpError(404, "unknown_series", `no model serves series '${seriesId}'`);
    try {
      const info: ServingModelInfo = lease.model.info;
      const { forecaster } = lease.model;
      return {
        ...storedSeriesForecast(forecaster.storedForecasts, seriesId, horizon, {
          levels,
          clipNegative: forecaster.clipsNegative,
        }),
        model: info,
      };
    } finally {
      lease.release();
    }
  };

  app.get(
    "/api/forecast/:series_id",
    {
      schema: {
        tags: ["forecast"],
        summary: "The stored forecast of one series, from the end of its training data",
        params: SeriesParams,
        querystring: HorizonQuery,
        response: { 200: SeriesForecastResponse, ...errorResponses(400, 404, 422) },
      },
    },
    async (request) =>
      forecastOf(
        request.params.series_id,
        parsedHorizon(request.query),
        levelsFromQuery(request.query.level, defaultLevels),
      ),
  );

  app.get(
    "/api/forecast",
    {
      schema: {
        tags: ["forecast"],
        summary:
          "The stored forecasts of every series; rows series_id,date,forecast,lo_80,hi_80,... with Accept: text/csv",
        querystring: HorizonQuery,
        response: { 200: AllForecastsResponse, ...errorResponses(400, 422) },
      },
    },
    async (request, reply) => {
      const horizon = parsedHorizon(request.query);
      const levels = levelsFromQuery(request.query.level, defaultLevels);
      const leased = leaseEverySeries(models);
      let streaming = false;
      try {
        // checked before the first byte: a horizon or level some model cannot give is a 422, not a cut stream
        for (const [id, model] of leased.bySeries)
          checkStoredForecast(model.forecaster.storedForecasts, id, horizon, levels);
        const forecasts = function* () {
          for (const [id, model] of leased.bySeries) {
            const { forecaster } = model;
            yield {
              ...storedSeriesForecast(forecaster.storedForecasts, id, horizon, {
                levels,
                clipNegative: forecaster.clipsNegative,
              }),
              model: model.info,
            };
          }
        };
        if (!wantsCsv(request.headers.accept)) return { series: [...forecasts()] };
        const csvSeries = function* () {
          for (const [id, { forecaster }] of leased.bySeries) {
            yield storedCsvSeries(forecaster.storedForecasts, id, horizon, {
              levels,
              clipNegative: forecaster.clipsNegative,
            });
          }
        };
        // Streamed as it is made; the leases hold the versions read until the stream closes, however it ends.
        const body = Readable.from(forecastCsvChunks(csvSeries(), levels));
        body.once("close", leased.release);
        streaming = true;
        // a stream with its own content type goes past the JSON serializer
        return reply.type("text/csv; charset=utf-8").send(body as never);
      } finally {
        if (!streaming) leased.release();
      }
    },
  );
}

/**
 * The serving model of every series that has stored forecasts, sorted by id, each model leased once until
 * `release`: a long export reads one set of versions even when a promotion lands meanwhile. Models saved
 * before stored forecasts existed are left out.
 */
function leaseEverySeries(models: ServingModels): {
  bySeries: Map<string, ServingModel>;
  release: () => void;
} {
  const leases = new Map<ServingModel, Lease>();
  const bySeries = new Map<string, ServingModel>();
  const ids = [...new Set(models.list().flatMap((model) => model.forecaster.seriesIds))].sort();
  for (const id of ids) {
    const lease = models.acquireForSeries(id);
    if (!lease) continue;
    const { model } = lease;
    if (leases.has(model)) lease.release();
    else leases.set(model, lease);
    if (model.forecaster.storedForecasts !== null) bySeries.set(id, model);
  }
  const release = () => {
    // a lease's release is idempotent: the stream's close may come after an error's release
    for (const lease of leases.values()) lease.release();
  };
  return { bySeries, release };
}

function wantsCsv(accept: string | undefined): boolean {
  return accept !== undefined && /\btext\/csv\b/.test(accept);
}
