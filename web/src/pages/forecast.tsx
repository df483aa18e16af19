import { useEffect, useMemo, useState } from "preact/hooks";
import { api } from "../api/client.ts";
import type { Prediction, SeriesHistory, ServingModel } from "../api/types.ts";
import { Chart, type ChartLine } from "../components/chart.tsx";
import { ErrorNotice, Loading, NoServingModel } from "../components/notice.tsx";
import { SeriesPicker } from "../components/series-picker.tsx";
import { StoredForecast } from "../components/stored-forecast.tsx";
import { addPeriods } from "../lib/dates.ts";
import { formatAmount } from "../lib/format.ts";
import { servingModelFor } from "../lib/serving-model.ts";
import { useAsync } from "../lib/use-async.ts";
import { useSeriesSelection } from "../lib/use-series.ts";
import type { Route } from "../routing.ts";

export function ForecastPage({ route }: { route: Route }) {
  const { list, selected, select } = useSeriesSelection(route);
  const health = useAsync(api.health, []);
  const history = useAsync(
    () => (selected ? api.seriesHistory(selected.id) : Promise.resolve(undefined)),
    [selected?.id],
  );
  const model = health.value && selected ? servingModelFor(health.value, selected.id) : undefined;
  const record = useAsync(
    () => (model?.id === undefined ? Promise.resolve(undefined) : api.model(model.id)),
    [model?.id],
  );
  const windowMember = record.value?.artifact?.window_member;

  return (
    <>
      <p class="lead">
        What the serving model forecasts for a series after its history: the ensemble and each of its members.
        Below, edit the last window and forecast again to ask “what if”.
      </p>
      {list.error && <ErrorNotice action="Loading the series list" error={list.error} />}
      {health.error && <ErrorNotice action="Asking the server which model serves" error={health.error} />}
      {history.error && <ErrorNotice action="Loading the history" error={history.error} />}
      {list.value && selected && (
        <SeriesPicker series={list.value} selected={selected.id} onSelect={select} />
      )}
      {health.value && selected && model === undefined && (
        <NoServingModel health={health.value} seriesId={selected.id} />
      )}
      {(list.loading || health.loading || history.loading) && <Loading what="the series and the model" />}
      {model && history.value && history.value.id === selected?.id && (
        <>
          <StoredForecast history={history.value} />
          <section aria-labelledby="what-if-heading">
            <h2 id="what-if-heading">What if: forecast an edited window</h2>
            <p class="caption">
              The window routes (<code>POST /api/predict/{history.value.id}</code>) forecast from the values
              sent alone, with the one member of the ensemble that reads windows
              {windowMember && (
                <>
                  : <strong data-testid="window-member">{windowMember}</strong>
                </>
              )}
              .
            </p>
            <ForecastEditor
              key={`${history.value.id} ${model.name} ${model.version}`}
              history={history.value}
              model={model}
            />
          </section>
        </>
      )}
    </>
  );
}

interface Answer {
  /** The window as sent, so the chart shows what the forecast was made from. */
  sent: number[];
  prediction: Prediction;
}

function ForecastEditor({ history, model }: { history: SeriesHistory; model: ServingModel }) {
  const size = Math.min(model.window_size, history.values.length);
  const windowDates = history.dates.slice(-size);
  const lastWindow = history.values.slice(-size);
  const [cells, setCells] = useState(() => lastWindow.map(String));
  const [answer, setAnswer] = useState<Answer>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);

  const forecast = async (texts: readonly string[]) => {
    const bad = texts.findIndex((text) => text.trim() === "" || !Number.isFinite(Number(text)));
    if (bad >= 0) {
      setAnswer(undefined);
      setError(new Error(`the value for ${windowDates[bad]} must be a number, got “${texts[bad]}”`));
      return;
    }
    const sent = texts.map(Number);
    setBusy(true);
    try {
      setAnswer({ sent, prediction: await api.predict(history.id, sent) });
      setError(undefined);
    } catch (caught) {
      setAnswer(undefined);
      setError(caught as Error);
    } finally {
      setBusy(false);
    }
  };

  // the prefilled window is forecast once, at once, so the page opens with an answer (the editor is keyed by
  // series and model, so a new series or model makes a new editor)
  useEffect(() => {
    forecast(cells);
  }, []);

  const firstForecastDate = addPeriods(windowDates[windowDates.length - 1], history.frequency, 1);
  return (
    <div class="forecast-layout">
      <form
        class="window-form"
        onSubmit={(event) => {
          event.preventDefault();
          forecast(cells);
        }}
      >
        <div class="table-scroll window-table">
          <table>
            <caption>
              Last {size} periods (the model's window of {model.window_size})
            </caption>
            <thead>
              <tr>
                <th scope="col">Period</th>
                <th scope="col" class="number">
                  Sales
                </th>
              </tr>
            </thead>
            <tbody>
              {windowDates.map((date, i) => (
                <tr key={date}>
                  <th scope="row">
                    <label for={`cell-${i}`}>{date}</label>
                  </th>
                  <td class="number">
                    <input
                      id={`cell-${i}`}
                      type="text"
                      inputMode="decimal"
                      class={cells[i] === String(lastWindow[i]) ? undefined : "edited"}
                      value={cells[i]}
                      onInput={(event) => {
                        const text = event.currentTarget.value;
                        setCells((previous) => previous.map((old, k) => (k === i ? text : old)));
                      }}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div class="buttons">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? "Forecasting…" : "Forecast"}
          </button>
          <button type="button" onClick={() => setCells(lastWindow.map(String))}>
            Reset to history
          </button>
        </div>
      </form>
      <section class="forecast-result" aria-labelledby="result-heading" aria-live="polite">
        <h3 id="result-heading">Answer</h3>
        {error && <ErrorNotice action="The forecast" error={error} />}
        {answer && <ForecastAnswer history={history} answer={answer} firstDate={firstForecastDate} />}
      </section>
    </div>
  );
}

function ForecastAnswer({
  history,
  answer,
  firstDate,
}: {
  history: SeriesHistory;
  answer: Answer;
  firstDate: string;
}) {
  const { prediction } = answer;
  const forecastDates = prediction.forecast.map((_, k) => addPeriods(firstDate, history.frequency, k));
  const chart = useMemo(() => forecastChart(history, answer, firstDate), [history, answer, firstDate]);
  return (
    <>
      <p class="big-number">
        {history.id}, {firstDate}:{" "}
        <output data-testid="forecast-value" data-value={String(prediction.predicted_sales)}>
          {formatAmount(prediction.predicted_sales)}
        </output>
      </p>
      <p class="caption">
        Answered by model <strong>{prediction.model.name}</strong> version{" "}
        <strong data-testid="model-version">{String(prediction.model.version)}</strong>.
      </p>
      {prediction.forecast.length > 1 && (
        <div class="table-scroll">
          <table>
            <caption>The whole horizon ({prediction.forecast.length} periods)</caption>
            <thead>
              <tr>
                <th scope="col">Period</th>
                <th scope="col" class="number">
                  Forecast
                </th>
              </tr>
            </thead>
            <tbody>
              {forecastDates.map((date, k) => (
                <tr key={date}>
                  <th scope="row">{date}</th>
                  <td class="number">{formatAmount(prediction.forecast[k])}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Chart
        description={`Sales of ${history.id} and the forecast from ${forecastDates[0]} to ${forecastDates[forecastDates.length - 1]}`}
        dates={chart.dates}
        lines={chart.lines}
      />
    </>
  );
}

/** Recent history, the window as sent, then the forecast, joined to the window's last point. */
function forecastChart(history: SeriesHistory, { sent, prediction }: Answer, firstDate: string) {
  const forecast = prediction.forecast;
  const forecastDates = forecast.map((_, k) => addPeriods(firstDate, history.frequency, k));
  const context = Math.min(history.values.length, sent.length * 6);
  const pastDates = history.dates.slice(-context);
  const past = history.values.slice(-context);
  const gap = (n: number) => new Array<null>(n).fill(null);
  const lines: ChartLine[] = [
    { label: "Sales", values: [...past, ...gap(forecast.length)], color: "#2563eb" },
    {
      label: "Window sent",
      values: [...gap(context - sent.length), ...sent, ...gap(forecast.length)],
      color: "#7c3aed",
      points: true,
    },
    {
      label: "Forecast",
      values: [...gap(context - 1), sent[sent.length - 1], ...forecast],
      color: "#c2410c",
      dashed: true,
      points: true,
    },
  ];
  return { dates: [...pastDates, ...forecastDates], lines };
}
