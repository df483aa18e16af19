import { HttpError } from "./errors.ts";

/** Where shed requests are counted. */
export interface AdmissionMetrics {
  shed(reason: "queue_full" | "timeout"): void;
}

export interface AdmissionOptions {
  /** Requests waiting for or in a model call at once (server.max_pending). */
  maxPending: number;
  /** A request not answered within this is a 503 (server.request_timeout_ms). */
  timeoutMs: number;
  metrics?: AdmissionMetrics;
}

/** A 503 that tells the client to come back in a second. */
const RETRY_AFTER = { "retry-after": "1" };

/**
 * The bounded queue in front of the models. Under overload a request is refused at once with a 503 and
 * Retry-After instead of waiting behind thousands of others: the ones let in stay fast, and memory stays
 * bounded. A request let in that is not answered within the deadline is a 503 too; its model call still
 * finishes (it holds its place in the queue until then, so the bound stays true).
 */
export class Admission {
  private inFlight = 0;

  constructor(private readonly options: AdmissionOptions) {}

  /** Requests waiting for or in a model call now. */
  get pending(): number {
    return this.inFlight;
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    const { maxPending, timeoutMs, metrics } = this.options;
    if (this.inFlight >= maxPending) {
      metrics?.shed("queue_full");
      return Promise.reject(
        new HttpError(
          503,
          "overloaded",
          `the server is at its limit of ${maxPending} pending forecasts (server.max_pending): retry shortly`,
          RETRY_AFTER,
        ),
      );
    }
    this.inFlight++;
    const done = work().finally(() => {
      this.inFlight--;
    });
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        metrics?.shed("timeout");
        reject(
          new HttpError(
            503,
            "timeout",
            `the forecast was not ready within ${timeoutMs} ms (server.request_timeout_ms): retry shortly`,
            RETRY_AFTER,
          ),
        );
      }, timeoutMs);
      done.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }
}
