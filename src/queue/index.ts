export { connectRedis } from "./connection.ts";
export { QueueError } from "./errors.ts";
export { openQueueRunner, SERIES_MODELS_JOB, UNITS_QUEUE } from "./unit-queue.ts";
export { startUnitWorker, type UnitWorker, type UnitWorkerEvents } from "./unit-worker.ts";
export { createWorkerMetrics, QUEUE_STATES, type WorkerMetrics } from "./worker-metrics.ts";
