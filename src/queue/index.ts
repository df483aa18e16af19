export { connectRedis } from "./connection.ts";
export { QueueError } from "./errors.ts";
export { UNITS_QUEUE } from "./jobs.ts";
export { forecastOnQueue } from "./statistical-jobs.ts";
export { openQueueRunner } from "./unit-queue.ts";
export { startUnitWorker, type UnitWorker, type UnitWorkerEvents } from "./unit-worker.ts";
export { createWorkerMetrics, QUEUE_STATES, type WorkerMetrics } from "./worker-metrics.ts";
