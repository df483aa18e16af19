import { type Static, Type } from "@fastify/type-provider-typebox";
import { HttpError } from "./errors.ts";
import type { DateRange } from "./series-catalog.ts";

const IsoDate = (description: string, example: string) => Type.String({ description, examples: [example] });

export const RangeQuery = Type.Object({
  start: Type.Optional(
    IsoDate("first date to include, YYYY-MM-DD (default: the series' start)", "2023-06-01"),
  ),
  end: Type.Optional(IsoDate("last date to include, YYYY-MM-DD (default: the series' end)", "2023-12-31")),
});

/** The range of the query; a bad one is a 400 naming the parameter at fault. */
export function checkRange(query: Static<typeof RangeQuery>): DateRange {
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
