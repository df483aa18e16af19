import { Type } from "@fastify/type-provider-typebox";
import { formatIsoDay } from "../../data/dates.ts";
import { DataError } from "../../data/errors.ts";
import { holidayList } from "../../features/holidays.ts";
import type { SalescastApp } from "../base-app.ts";
import { checkRange } from "../date-range.ts";
import { HttpError } from "../errors.ts";
import { ErrorResponse } from "../schemas.ts";

// A range longer than this is refused: date-holidays computes every year of it.
const MAX_YEARS = 50;

const HolidaysQuery = Type.Object({
  country: Type.String({ description: "a country code date-holidays knows", examples: ["US"] }),
  region: Type.Optional(Type.String({ description: "a region of the country", examples: ["CA"] })),
  types: Type.Optional(
    Type.String({
      description: "comma-separated date-holidays types that count (default public)",
      examples: ["public,bank"],
    }),
  ),
  start: Type.String({ description: "first date, YYYY-MM-DD", examples: ["2011-01-01"] }),
  end: Type.String({ description: "last date, YYYY-MM-DD", examples: ["2012-12-31"] }),
});

const HolidaysAnswer = Type.Object({
  holidays: Type.Array(
    Type.Object({
      date: Type.String({ description: "the holiday's local calendar day, YYYY-MM-DD" }),
      name: Type.String({ examples: ["Thanksgiving Day"] }),
    }),
    { description: "ascending; a day with two holidays once, their names joined" },
  ),
});

/**
 * `GET /api/holidays`: the holidays of a calendar (a model's `artifact.features.holidays`) within a range, for
 * the dashboard to mark them on its charts.
 */
export function registerHolidayRoutes(app: SalescastApp): void {
  app.get(
    "/api/holidays",
    {
      schema: {
        tags: ["series"],
        summary: "The holidays of a country (and region) within a date range, both ends inclusive",
        querystring: HolidaysQuery,
        response: { 200: HolidaysAnswer, 400: ErrorResponse },
      },
    },
    async (request) => {
      const { country, region, types, start, end } = request.query;
      checkRange({ start, end });
      const [firstYear, lastYear] = [Number(start.slice(0, 4)), Number(end.slice(0, 4))];
      if (lastYear - firstYear >= MAX_YEARS) {
        throw new HttpError(400, "invalid_request", `start to end spans more than ${MAX_YEARS} years`);
      }
      const options = { country, region, types: types?.split(",") ?? ["public"] };
      try {
        const holidays = holidayList(options, firstYear, lastYear)
          .map((holiday) => ({ date: formatIsoDay(holiday.day), name: holiday.name }))
          .filter(({ date }) => date >= start && date <= end);
        return { holidays };
      } catch (error) {
        if (error instanceof DataError) {
          throw new HttpError(400, "invalid_request", error.message.replace("data.holidays.", ""));
        }
        throw error;
      }
    },
  );
}
