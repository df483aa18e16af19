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

/** The part of a Fastify reply the gate uses. */
interface GateReply {
  code(status: number): GateReply;
  header(name: string, value: string): GateReply;
  type(contentType: string): GateReply;
  /** `never`: each route types its payloads, and the gate's pre-serialized body is none of them. */
  send(payload: never): unknown;
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
  private readonly refusalBody: string;

  constructor(private readonly options: AdmissionOptions) {
    this.refusalBody = JSON.stringify({ error: "overloaded", message: this.refusalMessage() });
  }

  private refusalMessage(): string {
    return `the server is at its limit of ${this.options.maxPending} pending forecasts (server.max_pending): retry shortly`;
  }

  /** Requests waiting for or in a model call now. */
  get pending(): number {
    return this.inFlight;
  }

  private refusal(): HttpError {
    this.options.metrics?.shed("queue_full");
    return new HttpError(503, "overloaded", this.refusalMessage(), RETRY_AFTER);
  }

  /**
   * A route hook that refuses a request while the queue is full, before its body is parsed and validated,
   * with a body serialized once and no Error built: under overload a refusal must cost far less than a
   * forecast, or shedding would slow the server down. The callback form is the cheaper one on this path.
   */
  readonly gate = (_request: unknown, reply: GateReply, done: () => void): void => {
    if (this.inFlight < this.options.maxPending) {
      done();
      return;
    }
    this.options.metrics?.shed("queue_full");
    reply
      .code(503)
      .header("retry-after", "1")
      .type("application/json")
      .send(this.refusalBody as never);
  };

  run<T>(work: () => Promise<T>): Promise<T> {
    const { maxPending, timeoutMs, metrics } = this.options;
    if (this.inFlight >= maxPending) return Promise.reject(this.refusal());
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
