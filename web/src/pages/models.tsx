import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError, api } from "../api/client.ts";
import type { ModelVersion, TrainingRun, TrainStarted } from "../api/types.ts";
import { ErrorNotice, InfoNotice, Loading } from "../components/notice.tsx";
import { formatRatio, formatTime } from "../lib/format.ts";
import { useAsync } from "../lib/use-async.ts";

interface ModelsPageProps {
  /** The admin token the reader gave, kept for this visit only (never stored). */
  token: string;
  setToken: (token: string) => void;
}

/** A state-changing request; it is retried with the token when the server asks for one (401). */
interface AdminAction {
  label: string;
  run: (token: string) => Promise<unknown>;
  /** Said when the server accepts the request. */
  doneMessage?: string;
  onDone?: (result: unknown) => void;
}

export function ModelsPage({ token, setToken }: ModelsPageProps) {
  const registry = useAsync(api.models, []);
  const [waitingForToken, setWaitingForToken] = useState<AdminAction>();
  const [outcome, setOutcome] = useState<{ label: string; error?: Error; message?: string }>();
  const [runId, setRunId] = useState<string>();
  const [training, setTraining] = useState(false);
  const { reload } = registry;
  const onTrainingEnd = useCallback(() => {
    setTraining(false);
    reload();
  }, [reload]);

  const perform = async (action: AdminAction, withToken = token) => {
    try {
      const result = await action.run(withToken);
      setWaitingForToken(undefined);
      setOutcome({ label: action.label, message: action.doneMessage });
      action.onDone?.(result);
      registry.reload();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        setWaitingForToken(action);
        setOutcome({ label: action.label, error: withToken ? error : undefined });
      } else {
        setOutcome({ label: action.label, error: error as Error });
      }
    }
  };

  const startTraining: AdminAction = {
    label: "Starting a training run",
    run: api.startTraining,
    onDone: (result) => {
      setRunId((result as TrainStarted).run_id);
      setTraining(true);
    },
  };

  return (
    <>
      <p class="lead">Every trained version, which one serves, and training runs.</p>
      <section aria-labelledby="train-heading">
        <h2 id="train-heading">Training</h2>
        <p class="caption">
          Trains on the server's configured data with its configuration; the registry's promotion policy
          decides whether the new version serves.
        </p>
        <button type="button" class="primary" disabled={training} onClick={() => perform(startTraining)}>
          Start training
        </button>
        {runId && <TrainingMonitor key={runId} runId={runId} onEnd={onTrainingEnd} />}
      </section>
      {waitingForToken && (
        <TokenForm
          action={waitingForToken.label}
          onSubmit={(entered) => {
            setToken(entered);
            perform(waitingForToken, entered);
          }}
        />
      )}
      {outcome?.error && <ErrorNotice action={outcome.label} error={outcome.error} />}
      {outcome?.message && !waitingForToken && (
        <p class="notice notice-ok" role="status">
          {outcome.message}
        </p>
      )}
      <section aria-labelledby="versions-heading">
        <h2 id="versions-heading">Versions</h2>
        {registry.loading && !registry.value && <Loading what="the model registry" />}
        {registry.error && (
          <ErrorNotice action="Reading the model registry (GET /api/models)" error={registry.error} />
        )}
        {registry.error instanceof ApiError && registry.error.status === 404 && (
          <p class="hint">
            This server runs without the model registry: there are no versions to list or promote, and models
            are trained with <code>npx salescast train</code>.
          </p>
        )}
        {registry.value && registry.value.length === 0 && (
          <InfoNotice>
            The registry is empty. Press <em>Start training</em> above, or run{" "}
            <code>npx salescast train</code>.
          </InfoNotice>
        )}
        {registry.value && registry.value.length > 0 && (
          <VersionsTable
            versions={registry.value}
            onPromote={(model) =>
              perform({
                label: `Promoting ${model.name} version ${model.version}`,
                run: (t) => api.promote(model.id, t),
                doneMessage: `${model.name} version ${model.version} is now in production.`,
              })
            }
            onRollback={(name) =>
              perform({
                label: `Rolling back ${name}`,
                run: (t) => api.rollback(name, t),
                doneMessage: `${name} is back on the version that served before.`,
              })
            }
          />
        )}
      </section>
    </>
  );
}

interface VersionsTableProps {
  versions: readonly ModelVersion[];
  onPromote: (model: ModelVersion) => void;
  onRollback: (name: string) => void;
}

const ARCHITECTURE_LABELS: Record<string, string> = { cnn_lstm: "CNN-LSTM", transformer: "Transformer" };

function architectureLabel(architecture: string): string {
  return ARCHITECTURE_LABELS[architecture] ?? architecture;
}

function VersionsTable({ versions, onPromote, onRollback }: VersionsTableProps) {
  return (
    <div class="table-scroll">
      <table class="stack-narrow">
        <caption>Model versions, newest first; validation MASE below 1 beats naive</caption>
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col">Stage</th>
            <th scope="col">Network</th>
            <th scope="col" class="number">
              MASE
            </th>
            <th scope="col" class="number">
              Naive MASE
            </th>
            <th scope="col">Trained</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {[...versions]
            .sort((a, b) => b.id - a.id)
            .map((model) => (
              <tr key={model.id} data-testid="model-row" data-stage={model.stage}>
                <th scope="row">
                  {model.name} v{model.version} <span class="muted">#{model.id}</span>
                </th>
                <td data-label="Stage">
                  <span class={`stage stage-${model.stage}`}>{model.stage}</span>
                </td>
                <td data-label="Network">{architectureLabel(model.architecture)}</td>
                <td class="number" data-label="MASE">
                  {formatRatio(model.metrics.model.mase)}
                </td>
                <td class="number" data-label="Naive MASE">
                  {formatRatio(model.metrics.naive.mase)}
                </td>
                <td data-label="Trained">{formatTime(model.created_at)}</td>
                <td data-label="Action">
                  {model.stage === "production" ? (
                    <button type="button" onClick={() => onRollback(model.name)}>
                      Roll back<span class="visually-hidden"> {model.name}</span>
                    </button>
                  ) : (
                    <button type="button" onClick={() => onPromote(model)}>
                      Promote
                      <span class="visually-hidden">
                        {" "}
                        {model.name} version {model.version}
                      </span>
                    </button>
                  )}
                </td>
              </tr>
            ))}
        </tbody>
      </table>
    </div>
  );
}

function TokenForm({ action, onSubmit }: { action: string; onSubmit: (token: string) => void }) {
  const [entered, setEntered] = useState("");
  const input = useRef<HTMLInputElement>(null);
  // the form appears in answer to a button press: take the reader straight to the field
  useEffect(() => input.current?.focus(), []);
  return (
    <form
      class="notice token-form"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit(entered);
      }}
    >
      <p>
        <strong>{action}</strong> needs the admin token (the server's <code>server.admin_token</code> or{" "}
        <code>SALESCAST_ADMIN_TOKEN</code>).
      </p>
      <label class="field">
        Admin token
        <input
          type="password"
          autoComplete="off"
          value={entered}
          onInput={(event) => setEntered(event.currentTarget.value)}
          ref={input}
        />
      </label>
      <button type="submit" class="primary" disabled={entered === ""}>
        Send with token
      </button>
    </form>
  );
}

const POLL_MS = 1000;
const ENDED = new Set(["succeeded", "failed"]);

/** Polls a training run until it ends, showing its epoch and losses as they come. */
function TrainingMonitor({ runId, onEnd }: { runId: string; onEnd: () => void }) {
  const [run, setRun] = useState<TrainingRun>();
  const [error, setError] = useState<Error>();

  useEffect(() => {
    let timer: number | undefined;
    let current = true;
    const poll = async () => {
      try {
        const latest = await api.trainingRun(runId);
        if (!current) return;
        setRun(latest);
        if (ENDED.has(latest.status)) onEnd();
        else timer = window.setTimeout(poll, POLL_MS);
      } catch (caught) {
        if (current) setError(caught as Error);
      }
    };
    poll();
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [runId, onEnd]);

  const progress = run?.progress;
  return (
    <div class="training" data-testid="training-run" data-status={run?.status ?? "starting"}>
      <p role="status">
        Run <code>{runId}</code>: <strong>{run?.status ?? "starting"}</strong>
        {progress?.units && `, work units ${progress.units.done} of ${progress.units.total} done`}
        {progress &&
          progress.max_epochs > 0 &&
          `, ${progress.model ? `${progress.model}, ` : ""}epoch ${progress.epoch} of ${progress.max_epochs}` +
            `, training loss ${formatRatio(progress.train_loss)}, validation loss ${formatRatio(progress.val_loss)}`}
      </p>
      {progress?.units && (
        <progress max={progress.units.total} value={progress.units.done} aria-label="Work units done">
          {progress.units.done} of {progress.units.total}
        </progress>
      )}
      {progress && progress.max_epochs > 0 && (
        <progress max={progress.max_epochs} value={progress.epoch} aria-label="Epochs done">
          {progress.epoch} of {progress.max_epochs}
        </progress>
      )}
      {run?.status === "succeeded" && (
        <p class="notice notice-ok">
          Training finished
          {run.model_ids && run.model_ids.length > 0 && `: registered version #${run.model_ids.join(", #")}`}.
          The list below is up to date.
        </p>
      )}
      {run?.status === "failed" && (
        <div class="notice notice-error" role="alert">
          <strong>Training failed:</strong> {run.error ?? "the server gave no reason"}
        </div>
      )}
      {error && <ErrorNotice action="Following the training run" error={error} />}
    </div>
  );
}
