import { Fragment } from "preact";
import type { Holiday, HolidayCalendar } from "../api/types.ts";
import type { AsyncState } from "../lib/use-async.ts";
import { ErrorNotice } from "./notice.tsx";

/** Says which holidays the dotted lines of the chart above mark, so they are read as well as seen. */
export function HolidayNote({
  calendar,
  holidays,
}: {
  calendar: HolidayCalendar | null | undefined;
  holidays: AsyncState<Holiday[]>;
}) {
  if (!calendar) return null;
  if (holidays.error) return <ErrorNotice action="Loading the holidays" error={holidays.error} />;
  const list = holidays.value ?? [];
  if (list.length === 0) return null;
  const where = calendar.region ? `${calendar.country}-${calendar.region}` : calendar.country;
  return (
    <p class="caption" data-testid="holidays">
      Holidays ({where}), dotted gold:{" "}
      {list.map((holiday, i) => (
        <Fragment key={holiday.date}>
          {i > 0 && "; "}
          <span data-testid="holiday">
            <time dateTime={holiday.date}>{holiday.date}</time> {holiday.name}
          </span>
        </Fragment>
      ))}
      .
    </p>
  );
}
