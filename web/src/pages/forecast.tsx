import { useEffect, useMemo, useState } from "preact/hooks";
import { api } from "../api/client.ts";
import type { Holiday, ModelFeatures, Prediction, SeriesHistory, ServingModel } from "../api/types.ts";
import { Chart, type ChartLine } from "../components/chart.tsx";
import { FutureCovariates } from "../components/future-covariates.tsx";
import { HolidayNote } from "../components/holiday-note.tsx";
import { ErrorNotice, Loading, NoServingModel } from "../components/notice.tsx";
import { SeriesPicker } from "../components/series-picker.tsx";
import { StoredForecast } from "../components/stored-forecast.tsx";
import { addPeriods } from "../lib/dates.ts";
import { formatAmount } from "../lib/format.ts";
import { servingModelFor } from "../lib/serving-model.ts";
import { useAsync } from "../lib/use-async.ts";
import { useHolidays } from "../lib/use-holidays.ts";
import { useSeriesSelection } from "../lib/use-series.ts";
import { type FutureCells, fileFutureCells, windowFeatures } from "../lib/window-features.ts";
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
  const features = record.value?.artifact?.features;

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
      {(list.loading || health.loading || history.loading || record.loading) && (
        <Loading what="the series and the model" />
      )}
      {model && history.value && history.value.id === selected?.id && !record.loading && (
        <>
          <StoredForecast history={history.value} holidays={features?.holidays} />
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
            {features && (
              <p class="caption">
                This model also reads{" "}
                {[
                  features.calendar && "calendar features",
                  features.holidays && "holidays",
                  features.covariates.length > 0 &&
                    `the covariates ${features.covariates.map((c) => c.name).join(", ")}`,
                ]
                  .filter(Boolean)
                  .join(", ")}
                : the request sends the window's first date and the covariates' values.
              </p>
            )}
            <ForecastEditor
              key={`${history.value.id} ${model.name} ${model.version}`}
              history={history.value}
              model={model}
              features={features}
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

function ForecastEditor({
  history,
  model,
  features,
}: {
  history: SeriesHistory;
  model: ServingModel;
  features: ModelFeatures | undefined;
}) {
  const size = Math.min(model.window_size, history.values.length);
  const windowDates = history.dates.slice(-size);
  const lastWindow = history.values.slice(-size);
  const firstForecastDate = addPeriods(windowDates[windowDates.length - 1], history.frequency, 1);
  const horizonDates = Array.from({ length: model.horizon }, (_, k) =>
    addPeriods(firstForecastDate, history.frequency, k),
  );
  const [cells, setCells] = useState(() => lastWindow.map(String));
  const [answer, setAnswer] = useState<Answer>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const needsFile = (features?.covariates.length ?? 0) > 0;
  const file = useAsync(
    () =>
      needsFile
        ? api.seriesCovariates(history.id, {
            start: windowDates[0],
            end: horizonDates[horizonDates.length - 1],
          })
        : Promise.resolve(undefined),
    [],
  );
  const fileCells = useMemo(
    () => (features ? fileFutureCells(features, file.value, horizonDates) : {}),
    [file.value],
  );
  const [future, setFuture] = useState<FutureCells>({});
  const ready = !needsFile || !file.loading;
  const chartDates = history.dates.slice(-Math.min(history.values.length, size * 6));
  const holidays = useHolidays(features?.holidays, [...chartDates, ...horizonDates]);

  const forecast = async (texts: readonly string[], futureTexts: FutureCells) => {
    const bad = texts.findIndex((text) => text.trim() === "" || !Number.isFinite(Number(text)));
    const extra = features && windowFeatures(features, file.value, windowDates, horizonDates, futureTexts);
    const problem =
      bad >= 0
        ? new Error(`the value for ${windowDates[bad]} must be a number, got “${texts[bad]}”`)
        : extra instanceof Error
          ? extra
          : undefined;
    if (problem) {
      setAnswer(undefined);
      setError(problem);
      return;
    }
    const sent = texts.map(Number);
    setBusy(true);
    try {
      const prediction = await api.predict(history.id, sent, extra as Exclude<typeof extra, Error>);
      setAnswer({ sent, prediction });
      setError(undefined);
    } catch (caught) {
      setAnswer(undefined);
      setError(caught as Error);
    } finally {
      setBusy(false);
    }
  };

  // the prefilled window is forecast once, as soon as the covariates file's rows are in, so the page opens
  // with an answer (the editor is keyed by series and model, so a new series or model makes a new editor)
  useEffect(() => {
    if (!ready) return;
    if (file.error) {
      setError(file.error);
      return;
    }
    setFuture(fileCells);
    forecast(cells, fileCells);
  }, [ready]);

  return (
    <div class="forecast-layout">
      <form
        class="window-form"
        onSubmit={(event) => {
          event.preventDefault();
          forecast(cells, future);
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
        {features && ready && (
          <FutureCovariates
            features={features}
            dates={horizonDates}
            cells={future}
            fileCells={fileCells}
            onChange={(name, period, text) =>
              setFuture((previous) => ({
                ...previous,
                [name]: (previous[name] ?? []).map((old, k) => (k === period ? text : old)),
              }))
            }
          />
        )}
        <div class="buttons">
          <button type="submit" class="primary" disabled={busy || !ready}>
            {busy ? "Forecasting…" : "Forecast"}
          </button>
          <button
            type="button"
            onClick={() => {
              setCells(lastWindow.map(String));
              setFuture(fileCells);
            }}
          >
            Reset to history
          </button>
        </div>
      </form>
      <section class="forecast-result" aria-labelledby="result-heading" aria-live="polite">
        <h3 id="result-heading">Answer</h3>
        {error && <ErrorNotice action="The forecast" error={error} />}
        {answer && (
          <ForecastAnswer
            history={history}
            answer={answer}
            firstDate={firstForecastDate}
            holidays={holidays.value}
          />
        )}
        <HolidayNote calendar={features?.holidays} holidays={holidays} />
      </section>
    </div>
  );
}

function ForecastAnswer({
  history,
  answer,
  firstDate,
  holidays,
}: {
  history: SeriesHistory;
  answer: Answer;
  firstDate: string;
  holidays: Holiday[] | undefined;
}) {
  const { prediction } = answer;
  const forecastDates = prediction.forecast.map((_, k) => addPeriods(firstDate, history.frequency, k));
  const chart = useMemo(() => forecastChart(history, answer, firstDate), [history, answer, firstDate]);
  const marks = useMemo(() => holidays?.map((h) => ({ date: h.date, label: h.name })), [holidays]);
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
        marks={marks}
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
