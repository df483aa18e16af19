import { useMemo, useState } from "preact/hooks";
import { api } from "../api/client.ts";
import type { SeriesSummary } from "../api/types.ts";
import { Chart } from "../components/chart.tsx";
import { ErrorNotice, Loading } from "../components/notice.tsx";
import { formatAmount } from "../lib/format.ts";
import { rollingMean } from "../lib/rolling-mean.ts";
import { useAsync } from "../lib/use-async.ts";
import { useSeriesSelection } from "../lib/use-series.ts";
import type { Route } from "../routing.ts";

export function ExplorePage({ route }: { route: Route }) {
  const { list, selected, select } = useSeriesSelection(route);
  return (
    <>
      <p class="lead">The sales history the server was configured with, one series per product or store.</p>
      {list.error && <ErrorNotice action="Loading the series list" error={list.error} />}
      {list.loading && <Loading what="the series list" />}
      {list.value && selected && (
        <>
          <SeriesTable series={list.value} selected={selected.id} onSelect={select} />
          <SeriesChart key={selected.id} summary={selected} />
        </>
      )}
    </>
  );
}

interface SeriesTableProps {
  series: readonly SeriesSummary[];
  selected: string;
  onSelect: (id: string) => void;
}

function SeriesTable({ series, selected, onSelect }: SeriesTableProps) {
  return (
    <div class="table-scroll">
      <table>
        <caption>Series ({series.length}); choose one to chart it</caption>
        <thead>
          <tr>
            <th scope="col">Series</th>
            <th scope="col" class="number">
              Length
            </th>
            <th scope="col" class="wide-only">
              From
            </th>
            <th scope="col" class="wide-only">
              To
            </th>
            <th scope="col" class="number">
              Last value
            </th>
          </tr>
        </thead>
        <tbody>
          {series.map((one) => (
            <tr key={one.id} class={one.id === selected ? "selected" : undefined}>
              <th scope="row">
                <button
                  type="button"
                  class="link-button"
                  aria-pressed={one.id === selected}
                  onClick={() => onSelect(one.id)}
                >
                  {one.id}
                </button>
              </th>
              <td class="number">
                {one.length} {PERIOD_NAMES[one.frequency]}
              </td>
              <td class="wide-only">{one.first_date}</td>
              <td class="wide-only">{one.last_date}</td>
              <td class="number">{formatAmount(one.last_value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const PERIOD_NAMES = { D: "days", W: "weeks", M: "months" } as const;

/** One series' sales with a rolling mean, within a date range the reader picks (the server applies it). */
function SeriesChart({ summary }: { summary: SeriesSummary }) {
  const [meanWindow, setMeanWindow] = useState(7);
  const [start, setStart] = useState(summary.first_date);
  const [end, setEnd] = useState(summary.last_date);
  const history = useAsync(() => api.seriesHistory(summary.id, { start, end }), [summary.id, start, end]);
  const lines = useMemo(() => {
    const values = history.value?.values ?? [];
    return [
      { label: "Sales", values, color: "#2563eb" },
      { label: `Rolling mean (${meanWindow})`, values: rollingMean(values, meanWindow), color: "#c2410c" },
    ];
  }, [history.value, meanWindow]);

  return (
    <section aria-labelledby="chart-heading">
      <h2 id="chart-heading">{summary.id}</h2>
      <form class="controls" onSubmit={(event) => event.preventDefault()}>
        <label class="field">
          Rolling mean window ({PERIOD_NAMES[summary.frequency]})
          <input
            type="number"
            min={1}
            max={summary.length}
            value={meanWindow}
            onInput={(event) => {
              const value = event.currentTarget.valueAsNumber;
              if (Number.isInteger(value) && value >= 1) setMeanWindow(value);
            }}
          />
        </label>
        <label class="field">
          From
          <input
            type="date"
            value={start}
            min={summary.first_date}
            max={summary.last_date}
            onChange={(event) => setStart(event.currentTarget.value)}
          />
        </label>
        <label class="field">
          To
          <input
            type="date"
            value={end}
            min={summary.first_date}
            max={summary.last_date}
            onChange={(event) => setEnd(event.currentTarget.value)}
          />
        </label>
        <button
          type="button"
          onClick={() => {
            setStart(summary.first_date);
            setEnd(summary.last_date);
          }}
        >
          Whole history
        </button>
      </form>
      {history.error && <ErrorNotice action="Loading the history" error={history.error} />}
      {history.value && history.value.dates.length === 0 && (
        <p>
          No periods between {start} and {end}.
        </p>
      )}
      {history.value && history.value.dates.length > 0 && (
        <>
          <Chart
            description={`Sales of ${summary.id} from ${start} to ${end}, with a rolling mean over ${meanWindow} periods`}
            dates={history.value.dates}
            lines={lines}
          />
          <p class="caption">
            {history.value.dates.length} periods, total {formatAmount(sum(history.value.values))}, mean{" "}
            {formatAmount(sum(history.value.values) / history.value.values.length)}.
          </p>
        </>
      )}
    </section>
  );
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
