import { useMemo } from "preact/hooks";
import { api } from "../api/client.ts";
import type { HolidayCalendar, SeriesForecast, SeriesHistory } from "../api/types.ts";
import { ensembleMethodText } from "../lib/ensemble.ts";
import { storedForecastChart } from "../lib/forecast-lines.ts";
import { formatAmount } from "../lib/format.ts";
import { useAsync } from "../lib/use-async.ts";
import { useHolidays } from "../lib/use-holidays.ts";
import { Chart } from "./chart.tsx";
import { HolidayNote } from "./holiday-note.tsx";
import { ErrorNotice, Loading } from "./notice.tsx";

/**
 * The forecast the serving version stored for a series when it was trained (GET /api/forecast/{id}): the
 * ensemble's, drawn after the history with each member's beside it, and the same figures in a table.
 */
export function StoredForecast({
  history,
  holidays,
}: {
  history: SeriesHistory;
  /** The model's holiday calendar, marked on the chart. */
  holidays?: HolidayCalendar | null;
}) {
  const stored = useAsync(() => api.storedForecast(history.id), [history.id]);
  return (
    <section aria-labelledby="stored-heading">
      <h2 id="stored-heading">Forecast from the end of the history</h2>
      {stored.loading && <Loading what="the stored forecast" />}
      {stored.error && (
        <ErrorNotice
          action={`Reading the stored forecast (GET /api/forecast/${history.id})`}
          error={stored.error}
        />
      )}
      {stored.value && stored.value.series_id === history.id && (
        <StoredForecastView history={history} stored={stored.value} calendar={holidays} />
      )}
    </section>
  );
}

function StoredForecastView({
  history,
  stored,
  calendar,
}: {
  history: SeriesHistory;
  stored: SeriesForecast;
  calendar: HolidayCalendar | null | undefined;
}) {
  const chart = useMemo(() => storedForecastChart(history, stored), [history, stored]);
  const holidays = useHolidays(calendar, chart.dates);
  const marks = useMemo(
    () => holidays.value?.map((h) => ({ date: h.date, label: h.name })),
    [holidays.value],
  );
  const members = Object.entries(stored.members);
  // the method is the version's record (GET /api/models/{id}); a version outside the registry has no id
  const id = stored.model.id;
  const method = useAsync(
    () =>
      id === undefined ? Promise.resolve(undefined) : api.model(id).then((m) => m.artifact?.ensemble?.method),
    [id],
  );
  const intervals = stored.intervals ?? {};
  const levels = Object.keys(intervals).sort((a, b) => Number(a) - Number(b));
  const first = stored.forecast[0]?.date;
  const last = stored.forecast.at(-1)?.date;
  return (
    <>
      <p class="caption">
        Stored by model <strong>{stored.model.name}</strong> version{" "}
        <strong data-testid="stored-version">{stored.model.version}</strong> when it was trained, from the end
        of its training data. The ensemble (thick line) combines its {members.length} members (thin lines):{" "}
        {ensembleMethodText(method.value)}. The Accuracy page compares them.
        {levels.length > 0 &&
          ` The shaded bands are the ensemble's ${levels.map((l) => `${l}%`).join(" and ")} prediction intervals, from its cross-validation errors.`}
      </p>
      <Chart
        description={`Sales of ${history.id}, then the ensemble's and ${members.length} members' forecasts from ${first} to ${last}`}
        dates={chart.dates}
        lines={chart.lines}
        bands={chart.bands}
        marks={marks}
      />
      <HolidayNote calendar={calendar} holidays={holidays} />
      <div class="table-scroll">
        <table data-testid="stored-forecast">
          <caption>
            Stored forecast of {history.id}, {stored.forecast.length} periods
          </caption>
          <thead>
            <tr>
              <th scope="col">Period</th>
              <th scope="col" class="number">
                Ensemble
              </th>
              {levels.map((level) => (
                <th key={level} scope="col" class="number">
                  {level}% interval
                </th>
              ))}
              {members.map(([name]) => (
                <th key={name} scope="col" class="number">
                  {name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {stored.forecast.map((point, k) => (
              <tr key={point.date}>
                <th scope="row">{point.date}</th>
                <td class="number">
                  <strong>{formatAmount(point.value)}</strong>
                </td>
                {levels.map((level) => {
                  const band = intervals[level];
                  return (
                    <td key={level} class="number" data-testid={`interval-${level}`}>
                      {formatAmount(band.lower[k])} – {formatAmount(band.upper[k])}
                    </td>
                  );
                })}
                {members.map(([name, values]) => (
                  <td key={name} class="number">
                    {formatAmount(values[k])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
