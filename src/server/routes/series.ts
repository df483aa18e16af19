import { Type } from "@fastify/type-provider-typebox";
import type { SalescastApp } from "../base-app.ts";
import { checkRange, RangeQuery } from "../date-range.ts";
import { HttpError } from "../errors.ts";
import { ErrorResponse } from "../schemas.ts";
import { CatalogUnavailableError, type SeriesCatalog } from "../series-catalog.ts";

export interface SeriesRouteDeps {
  catalog: SeriesCatalog;
}

const IsoDate = (description: string, example: string) => Type.String({ description, examples: [example] });

const Frequency = Type.Union([Type.Literal("D"), Type.Literal("W"), Type.Literal("M")], {
  description: "D daily, W weekly, M monthly",
});

const SeriesSummary = Type.Object({
  id: Type.String({ examples: ["Beauty"] }),
  frequency: Frequency,
  length: Type.Integer({ description: "number of periods", examples: [366] }),
  first_date: IsoDate("first day of the first period", "2023-01-01"),
  last_date: IsoDate("first day of the last period", "2024-01-01"),
  last_value: Type.Number({ description: "sales in the last period", examples: [1500] }),
});

const SeriesList = Type.Object({ series: Type.Array(SeriesSummary) });

const SeriesHistory = Type.Object({
  id: Type.String({ examples: ["Beauty"] }),
  frequency: Frequency,
  dates: Type.Array(Type.String(), {
    description: "first day of each period, ascending",
    examples: [["2023-12-30", "2023-12-31", "2024-01-01"]],
  }),
  values: Type.Array(Type.Number(), {
    description: "sales of each period (0 for a period without sales)",
    examples: [[150, 0, 1500]],
  }),
});

const SeriesCovariates = Type.Object({
  id: Type.String({ examples: ["Beauty"] }),
  names: Type.Array(Type.String(), {
    description: "the file's covariate columns",
    examples: [["promo", "price"]],
  }),
  known_future: Type.Array(Type.String(), {
    description: "the columns data.known_future names: a forecast reads their horizon values",
    examples: [["promo"]],
  }),
  dates: Type.Array(Type.String(), {
    description: "first day of each period the file has a row for, ascending, also past the last sale",
    examples: [["2024-01-01", "2024-01-02"]],
  }),
  values: Type.Record(Type.String(), Type.Array(Type.Number()), {
    description: "each column's value on each of the dates",
    examples: [{ promo: [0, 1], price: [9.99, 8.49] }],
  }),
});

const SeriesParams = Type.Object({
  id: Type.String({ description: "a series id from GET /api/series", examples: ["Beauty"] }),
});

/** `GET /api/series` and `GET /api/series/{id}`: the sales history behind the dashboard's charts. */
export function registerSeriesRoutes(app: SalescastApp, { catalog }: SeriesRouteDeps): void {
  app.get(
    "/api/series",
    {
      schema: {
        tags: ["series"],
        summary: "List the series in the configured sales data",
        response: { 200: SeriesList, 503: ErrorResponse },
      },
    },
    async () => ({ series: available(() => catalog.list()) }),
  );

  app.get(
    "/api/series/:id",
    {
      schema: {
        tags: ["series"],
        summary: "One series' history, optionally within a date range (both ends inclusive)",
        params: SeriesParams,
        querystring: RangeQuery,
        response: { 200: SeriesHistory, 400: ErrorResponse, 404: ErrorResponse, 503: ErrorResponse },
      },
    },
    async (request) => {
      const range = checkRange(request.query);
      const history = available(() => catalog.history(request.params.id, range));
      if (history === undefined) {
        const message = `unknown series '${request.params.id}'; GET /api/series lists the known ids`;
        throw new HttpError(404, "unknown_series", message);
      }
      return history;
    },
  );

  app.get(
    "/api/series/:id/covariates",
    {
      schema: {
        tags: ["series"],
        summary:
          "One series' rows of the configured covariates file (data.covariates_path) within a date range",
        params: SeriesParams,
        querystring: RangeQuery,
        response: { 200: SeriesCovariates, 400: ErrorResponse, 404: ErrorResponse, 503: ErrorResponse },
      },
    },
    async (request) => {
      const range = checkRange(request.query);
      const covariates = available(() => catalog.covariates(request.params.id, range));
      if (covariates === undefined) {
        const message = `unknown series '${request.params.id}'; GET /api/series lists the known ids`;
        throw new HttpError(404, "unknown_series", message);
      }
      if (covariates === null) {
        throw new HttpError(
          404,
          "no_covariates",
          "the server's config names no covariates file (data.covariates_path)",
        );
      }
      return covariates;
    },
  );
}

/** A catalog still being read, or unreadable, is a 503 saying which. */
function available<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof CatalogUnavailableError)
      throw new HttpError(503, "series_unavailable", error.message);
    throw error;
  }
}
