import type { ComponentChildren } from "preact";
import { ApiError } from "../api/client.ts";
import type { Health } from "../api/types.ts";

/** What went wrong, in the server's words, with what was being done. Announced to screen readers. */
export function ErrorNotice({ action, error }: { action: string; error: Error }) {
  const status = error instanceof ApiError && error.status > 0 ? ` (HTTP ${error.status})` : "";
  return (
    <div class="notice notice-error" role="alert">
      <strong>
        {action} failed{status}:
      </strong>{" "}
      {error.message}
      {isNoModel(error) && <NoModelHint />}
    </div>
  );
}

export function InfoNotice({ children }: { children: ComponentChildren }) {
  return <div class="notice">{children}</div>;
}

/** The server answers 503 while no model is loaded. */
const isNoModel = (error: Error) => error instanceof ApiError && error.status === 503;

/** Why no forecast can be made for a series, and what to do about it. */
export function NoServingModel({ health, seriesId }: { health: Health; seriesId: string }) {
  return (
    <div class="notice">
      {health.models_loaded === 0 ? (
        <>
          <strong>No model is serving yet.</strong> {health.message && `The server says: ${health.message}.`}
        </>
      ) : (
        <strong>
          None of the {health.models_loaded} loaded models has “{seriesId}” among its series; a model trained
          with this series would serve it.
        </strong>
      )}
      <NoModelHint />
    </div>
  );
}

export function NoModelHint() {
  return (
    <p class="hint">
      To train a model: run <code>npx salescast train</code> in the salescast folder, or press{" "}
      <em>Start training</em> on the <a href="#/models">Models page</a>.
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status">
      Loading {what}…
    </p>
  );
}
