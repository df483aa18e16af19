import { useEffect, useMemo, useState } from "preact/hooks";
import { api } from "../api/client.ts";
import type { ModelDetail, SeriesHistory, ServingModel } from "../api/types.ts";
import { Chart } from "../components/chart.tsx";
import { MetricsTable } from "../components/metrics-table.tsx";
import { ErrorNotice, InfoNotice, Loading, NoServingModel } from "../components/notice.tsx";
import { SeriesPicker } from "../components/series-picker.tsx";
import { ensembleMethodText } from "../lib/ensemble.ts";
import { formatAmount } from "../lib/format.ts";
import { type HoldoutPoint, meanAbsoluteError, rollingOneStep } from "../lib/holdout.ts";
import { servingModelFor } from "../lib/serving-model.ts";
import { useAsync } from "../lib/use-async.ts";
import { useSeriesSelection } from "../lib/use-series.ts";
import { validationRows } from "../lib/validation-rows.ts";
import type { Route } from "../routing.ts";

export function AccuracyPage({ route }: { route: Route }) {
  const { list, selected, select } = useSeriesSelection(route);
  const health = useAsync(api.health, []);
  const model = health.value && selected ? servingModelFor(health.value, selected.id) : undefined;

  return (
    <>
      <p class="lead">
        How far the serving model's forecasts fall from what happened: the ensemble beside each of its members
        and two baselines.
      </p>
      {list.error && <ErrorNotice action="Loading the series list" error={list.error} />}
      {health.error && <ErrorNotice action="Asking the server which model serves" error={health.error} />}
      {list.value && selected && (
        <SeriesPicker series={list.value} selected={selected.id} onSelect={select} />
      )}
      {(list.loading || health.loading) && <Loading what="the series and the model" />}
      {health.value && selected && model === undefined && (
        <NoServingModel health={health.value} seriesId={selected.id} />
      )}
      {model && <ValidationMetrics model={model} />}
      {model && selected && (
        <Holdout key={`${selected.id} ${model.version}`} seriesId={selected.id} model={model} />
      )}
    </>
  );
}

/**
 * A version's cross-validation, from the registry (GET /api/models/{id}): the ensemble beside each member and
 * the baselines. The serving version is shown first; any other version of the same name can be picked.
 */
function ValidationMetrics({ model }: { model: ServingModel }) {
  const registry = useAsync(api.models, []);
  const versions = (registry.value ?? [])
    .filter((one) => one.name === model.name)
    .sort((a, b) => b.version - a.version);
  const serving = versions.find((one) => one.stage === "production") ?? versions[0];
  const [picked, setPicked] = useState<number>();
  const selectedId = picked ?? model.id ?? serving?.id;
  return (
    <section aria-labelledby="validation-heading">
      <h2 id="validation-heading">Cross-validation: the ensemble and its members</h2>
      {registry.loading && <Loading what="the model registry" />}
      {registry.error && (
        <ErrorNotice action="Reading the model registry (GET /api/models)" error={registry.error} />
      )}
      {registry.value && versions.length === 0 && (
        <InfoNotice>
          The registry has no version named “{model.name}”, so there are no metrics to show.
        </InfoNotice>
      )}
      {versions.length > 1 && (
        <label class="field">
          Version
          <select
            value={String(selectedId)}
            onChange={(event) => setPicked(Number(event.currentTarget.value))}
          >
            {versions.map((one) => (
              <option key={one.id} value={String(one.id)}>
                v{one.version} ({one.stage}
                {one.serving ? ", serving" : ""})
              </option>
            ))}
          </select>
        </label>
      )}
      {selectedId !== undefined && versions.length > 0 && <VersionMetrics key={selectedId} id={selectedId} />}
    </section>
  );
}

function VersionMetrics({ id }: { id: number }) {
  const detail = useAsync(() => api.model(id), [id]);
  if (detail.loading) return <Loading what={`the record of model ${id}`} />;
  if (detail.error)
    return <ErrorNotice action={`Reading model ${id} (GET /api/models/${id})`} error={detail.error} />;
  const record = detail.value as ModelDetail;
  const artifact = record.artifact;
  const rows = validationRows(record);
  const origins = artifact?.cv_origins;
  return (
    <>
      {artifact?.window_member ? (
        <p class="caption">
          Version <strong data-testid="metrics-version">v{record.version}</strong> combines{" "}
          {artifact.ensemble?.members.length} members: {ensembleMethodText(artifact.ensemble?.method)}. Its
          stored forecasts (the Forecast page) are the ensemble's; the window routes (
          <code>POST /api/predict</code>, the last points below) are served by{" "}
          <strong data-testid="serving-member">{artifact.window_member}</strong>, the window-reading member
          with the lowest cross-validation MASE.
        </p>
      ) : (
        <p class="caption">
          Version <strong data-testid="metrics-version">v{record.version}</strong> was saved before ensembles:
          one network answers every route.
        </p>
      )}
      <ArtifactError record={record} />
      <MetricsTable
        rows={rows}
        caption={
          artifact?.members
            ? `Rolling-origin cross-validation of v${record.version} on the training data (${origins ?? "?"} origins, ${artifact.horizon} periods ahead): the ensemble, each member, and the two baselines on the same windows (naive: the last value again; seasonal naive: the value one season ago). Lower is better; MASE divides by seasonal naive's in-sample error.`
            : `Model ${record.name} version ${record.version} on its validation windows, beside naive (the last value again) and seasonal naive (the value one season ago) on the same windows. Lower is better.`
        }
      />
    </>
  );
}

function ArtifactError({ record }: { record: ModelDetail }) {
  if (!record.artifact_error) return null;
  return (
    <InfoNotice>
      The model's files could not be read, so only the registry's metrics show: {record.artifact_error}
    </InfoNotice>
  );
}

const DEFAULT_POINTS = 28;

function Holdout({ seriesId, model }: { seriesId: string; model: ServingModel }) {
  const history = useAsync(() => api.seriesHistory(seriesId), [seriesId]);
  const maxPoints = history.value ? history.value.values.length - model.window_size : DEFAULT_POINTS;
  const [count, setCount] = useState(DEFAULT_POINTS);
  const [requested, setRequested] = useState(DEFAULT_POINTS);

  return (
    <section aria-labelledby="holdout-heading">
      <h2 id="holdout-heading">Last points: actual sales against one-step forecasts</h2>
      <p class="caption">
        Each of the last points is forecast from the {model.window_size} periods before it (rolling
        one-step-ahead), computed in this browser by calling <code>POST /api/predict/{seriesId}</code> once
        per point, so the member that serves the window routes answers. Naive says each period repeats the one
        before. The model saw these periods while it trained; the cross-validation above is the fair
        comparison.
      </p>
      <form
        class="controls"
        onSubmit={(event) => {
          event.preventDefault();
          setRequested(count);
        }}
      >
        <label class="field">
          Points
          <input
            type="number"
            min={1}
            max={maxPoints}
            value={count}
            onInput={(event) => setCount(event.currentTarget.valueAsNumber)}
          />
        </label>
        <button type="submit">Compute</button>
      </form>
      {history.error && <ErrorNotice action="Loading the history" error={history.error} />}
      {history.value && (
        <HoldoutResult
          key={requested}
          history={history.value}
          windowSize={model.window_size}
          count={Math.max(1, Math.min(requested, maxPoints))}
        />
      )}
    </section>
  );
}

function HoldoutResult({
  history,
  windowSize,
  count,
}: {
  history: SeriesHistory;
  windowSize: number;
  count: number;
}) {
  const [points, setPoints] = useState<HoldoutPoint[]>();
  const [finished, setFinished] = useState(0);
  const [error, setError] = useState<Error>();

  useEffect(() => {
    let current = true;
    rollingOneStep(
      history.dates,
      history.values,
      windowSize,
      count,
      async (window) => (await api.predict(history.id, window)).predicted_sales,
      (done) => current && setFinished(done),
    ).then(
      (result) => current && setPoints(result),
      (caught: Error) => current && setError(caught),
    );
    return () => {
      current = false;
    };
  }, [history, windowSize, count]);

  const chart = useMemo(() => points && holdoutChart(points), [points]);

  if (error) return <ErrorNotice action="Forecasting the last points" error={error} />;
  if (!points || !chart) return <Loading what={`one-step forecasts (${finished} of ${count})`} />;
  return (
    <>
      <Chart
        description={`Actual sales of ${history.id} over the last ${points.length} periods against the model's one-step forecasts and naive`}
        dates={chart.dates}
        lines={chart.lines}
      />
      <p class="caption" data-testid="holdout-mae">
        Over these {points.length} periods the mean absolute error is{" "}
        <strong>{formatAmount(meanAbsoluteError(points, (p) => p.forecast))}</strong> for the model and{" "}
        <strong>{formatAmount(meanAbsoluteError(points, (p) => p.naive))}</strong> for naive.
      </p>
    </>
  );
}

function holdoutChart(points: readonly HoldoutPoint[]) {
  return {
    dates: points.map((p) => p.date),
    lines: [
      { label: "Actual", values: points.map((p) => p.actual), color: "#2563eb", points: true },
      { label: "Model (one step)", values: points.map((p) => p.forecast), color: "#c2410c", points: true },
      { label: "Naive", values: points.map((p) => p.naive), color: "#6b7280", dashed: true },
    ],
  };
}
