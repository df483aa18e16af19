import { type Static, Type } from "@fastify/type-provider-typebox";
import type { SalescastApp } from "../base-app.ts";
import { HttpError } from "../errors.ts";
import { ErrorResponse } from "../schemas.ts";
import { CatalogUnavailableError, type DateRange, type SeriesCatalog } from "../series-catalog.ts";

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

const SeriesParams = Type.Object({
  id: Type.String({ description: "a series id from GET /api/series", examples: ["Beauty"] }),
});

const RangeQuery = Type.Object({
  start: Type.Optional(
    IsoDate("first date to include, YYYY-MM-DD (default: the series' start)", "2023-06-01"),
  ),
  end: Type.Optional(IsoDate("last date to include, YYYY-MM-DD (default: the series' end)", "2023-12-31")),
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

/** The range of the query; a bad one is a 400 naming the parameter at fault. */
function checkRange(query: Static<typeof RangeQuery>): DateRange {
  for (const name of ["start", "end"] as const) {
    const value = query[name];
    if (value !== undefined && !isCalendarDate(value)) {
      throw new HttpError(
        400,
        "invalid_request",
        `${name} must be a calendar date YYYY-MM-DD, got '${value}'`,
      );
    }
  }
  if (query.start !== undefined && query.end !== undefined && query.start > query.end) {
    throw new HttpError(
      400,
      "invalid_request",
      `start (${query.start}) must not be after end (${query.end})`,
    );
  }
  return query;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A strict `YYYY-MM-DD` that names a real day (2023-02-30 does not). */
function isCalendarDate(text: string): boolean {
  const match = ISO_DATE.exec(text);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
