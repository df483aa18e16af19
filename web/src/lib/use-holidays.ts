import { api } from "../api/client.ts";
import type { Holiday, HolidayCalendar } from "../api/types.ts";
import { type AsyncState, useAsync } from "./use-async.ts";

/**
 * The holidays of a model's calendar between the first and last of a chart's dates; none for a model without
 * holiday features.
 */
export function useHolidays(
  calendar: HolidayCalendar | null | undefined,
  dates: readonly string[],
): AsyncState<Holiday[]> {
  const [start, end] = [dates[0], dates[dates.length - 1]];
  return useAsync(
    () => (calendar && start !== undefined ? api.holidays(calendar, { start, end }) : Promise.resolve([])),
    [calendar?.country, calendar?.region, calendar?.types.join(","), start, end],
  );
}
