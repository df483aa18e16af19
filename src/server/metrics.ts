import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyTypeProvider,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from "fastify";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** A model answering predictions, as the serving-model gauge labels it. */
export interface ServingModelVersion {
  name: string;
  version: string | number;
}

export type TrainingOutcome = "succeeded" | "failed";

/**
 * The instruments the server and the trainer record into. Each is narrowed to the one call its callers need, so
 * nothing outside this module can reset or re-label a series.
 */
export interface SalescastMetrics {
  /** Holds only salescast's metrics and the process defaults: each app (and each test) gets its own. */
  readonly registry: Registry;
  readonly httpRequests: Pick<Counter<"method" | "route" | "status_code">, "inc">;
  readonly httpRequestDuration: Pick<Histogram<"method" | "route">, "observe">;
  readonly predictions: Pick<Counter<"model" | "version">, "inc">;
  readonly microBatchSize: Pick<Histogram, "observe">;
  readonly modelLoadFailures: Pick<Counter<"model">, "inc">;
  /** Requests answered 503 by the admission queue: full (queue_full) or past the deadline (timeout). */
  readonly shedRequests: Pick<Counter<"reason">, "inc">;
  /** Forecasts a model produced that were not finite (answered 500, never sent). */
  readonly nonFiniteForecasts: Pick<Counter<"model">, "inc">;
  /** Reads the admission queue's depth at each scrape. */
  observeQueueDepth(read: () => number): void;
  /** Counts the run and observes its duration under the same outcome label. */
  recordTrainingRun(outcome: TrainingOutcome, seconds: number): void;
  /** Replaces the whole set of serving models: a model no longer serving disappears from the gauge. */
  setServingModels(models: readonly ServingModelVersion[]): void;
}

/** Label for requests that matched no route: the raw URL would let any client create unbounded series. */
export const UNMATCHED_ROUTE = "unmatched";

// Single predictions take tens of microseconds and a slow request a second; 0.1 ms to 1 s covers both ends.
const HTTP_DURATION_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
];
const MICRO_BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];
// A run on the bundled data takes seconds; all of a large data set per series, hours.
const TRAINING_DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200];

const MISNAMED_DEFAULT_GAUGES = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
];

/** A registry of its own with the process defaults (memory, CPU, event-loop lag), fit for promtool. */
export function processMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // Gauges named like counters fail `promtool check metrics`; each is the sum of its labelled sibling
  // (nodejs_active_handles and so on), so dropping them loses nothing.
  for (const name of MISNAMED_DEFAULT_GAUGES) registry.removeSingleMetric(name);
  return registry;
}

export function createMetrics(): SalescastMetrics {
  const registry = processMetricsRegistry();
  const registers = [registry];

  const trainingRuns = new Counter({
    name: "salescast_training_runs_total",
    help: "Training runs finished, by outcome (succeeded or failed).",
    labelNames: ["outcome"] as const,
    registers,
  });
  const trainingRunDuration = new Histogram({
    name: "salescast_training_run_duration_seconds",
    help: "Wall time of a training run, by outcome.",
    labelNames: ["outcome"] as const,
    buckets: TRAINING_DURATION_BUCKETS,
    registers,
  });
  // Labelled series exist only once set: start the ones the dashboard queries at 0, so a fresh server's
  // panels show 0 rather than "No data".
  for (const outcome of ["succeeded", "failed"] as const) {
    trainingRuns.inc({ outcome }, 0);
    trainingRunDuration.zero({ outcome });
  }
  let readQueueDepth = () => 0;
  new Gauge({
    name: "salescast_pending_forecasts",
    help: "Forecast requests waiting for or in a model call (the admission queue, bounded by server.max_pending).",
    registers,
    collect() {
      this.set(readQueueDepth());
    },
  });
  const shedRequests = new Counter({
    name: "salescast_shed_requests_total",
    help: "Forecast requests answered 503 without a forecast: the queue was full, or the deadline passed.",
    labelNames: ["reason"] as const,
    registers,
  });
  for (const reason of ["queue_full", "timeout"]) shedRequests.inc({ reason }, 0);
  const modelLoadFailures = new Counter({
    name: "salescast_model_load_failures_total",
    help: "Model versions that failed to load (the previous version kept serving).",
    labelNames: ["model"] as const,
    registers,
  });
  modelLoadFailures.inc({ model: "global" }, 0);
  const nonFiniteForecasts = new Counter({
    name: "salescast_non_finite_forecasts_total",
    help: "Forecasts that came out NaN or infinite for a valid input, by model (answered 500).",
    labelNames: ["model"] as const,
    registers,
  });
  nonFiniteForecasts.inc({ model: "global" }, 0);
  const httpRequests = new Counter({
    name: "salescast_http_requests_total",
    help: "HTTP requests answered, by method, route pattern and status code.",
    labelNames: ["method", "route", "status_code"] as const,
    registers,
  });
  const httpRequestDuration = new Histogram({
    name: "salescast_http_request_duration_seconds",
    help: "Time from receiving a request to sending its response, by method and route pattern.",
    labelNames: ["method", "route"] as const,
    buckets: HTTP_DURATION_BUCKETS,
    registers,
  });
  httpRequests.inc({ method: "POST", route: "/api/predict", status_code: 200 }, 0);
  httpRequests.inc({ method: "POST", route: "/api/predict", status_code: 503 }, 0);
  httpRequestDuration.zero({ method: "POST", route: "/api/predict" });
  const predictions = new Counter({
    name: "salescast_predictions_total",
    help: "Forecasts made, by model and version (a batch request counts each item).",
    labelNames: ["model", "version"] as const,
    registers,
  });
  const servingModelInfo = new Gauge({
    name: "salescast_serving_model_info",
    help: "1 for each model version currently answering predictions.",
    labelNames: ["model", "version"] as const,
    registers,
  });

  return {
    registry,
    httpRequests,
    httpRequestDuration,
    predictions,
    microBatchSize: new Histogram({
      name: "salescast_micro_batch_size",
      help: "Predictions gathered into one model call by the micro-batcher.",
      buckets: MICRO_BATCH_BUCKETS,
      registers,
    }),
    modelLoadFailures,
    shedRequests,
    nonFiniteForecasts,
    observeQueueDepth(read) {
      readQueueDepth = read;
    },
    recordTrainingRun(outcome, seconds) {
      trainingRuns.inc({ outcome });
      trainingRunDuration.observe({ outcome }, seconds);
    },
    setServingModels(models) {
      servingModelInfo.reset();
      for (const { name, version } of models) {
        servingModelInfo.set({ model: name, version }, 1);
        predictions.inc({ model: name, version }, 0);
      }
    },
  };
}

/**
 * Records every response's count and duration by route pattern, and serves `GET /metrics`. Call it on the root
 * instance, not inside a registered plugin, so the hook sees every route (those added before it too).
 */
export function registerMetrics<Logger extends FastifyBaseLogger, TypeProvider extends FastifyTypeProvider>(
  app: FastifyInstance<
    RawServerDefault,
    RawRequestDefaultExpression,
    RawReplyDefaultExpression,
    Logger,
    TypeProvider
  >,
  metrics: SalescastMetrics,
): void {
  const { httpRequests, httpRequestDuration, registry } = metrics;
  // Hot path: no timer closure per request; Fastify already measured the elapsed time (in milliseconds).
  app.addHook("onResponse", (request, reply, done) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    const method = request.method;
    httpRequests.inc({ method, route, status_code: reply.statusCode });
    httpRequestDuration.observe({ method, route }, reply.elapsedTime / 1000);
    done();
  });

  app.get(
    "/metrics",
    { schema: { summary: "Prometheus metrics in the text exposition format", tags: ["operations"] } },
    async (_request, reply) => {
      reply.type(registry.contentType);
      return registry.metrics();
    },
  );
}
