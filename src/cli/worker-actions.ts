import { availableParallelism } from "node:os";
import { loadConfig, redactUrl } from "../config/index.ts";
import { createWorkerMetrics, startUnitWorker } from "../queue/index.ts";
import { parsePositiveInt, UsageError } from "./errors.ts";

export interface WorkerFlags {
  config: string;
  concurrency?: string;
  metricsPort?: string;
  metricsHost: string;
}

function parsePort(name: string, text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`${name} must be a port number from 0 to 65535, got '${text}'`);
  return port;
}

const INFO = 30;
const WARN = 40;

/** One JSON line on stdout, with pino's level numbers, as `salescast serve` logs. */
function log(level: number, msg: string, fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ level, time: Date.now(), msg, ...fields }));
}

/** `salescast worker`: trains the queue's work units until SIGTERM or SIGINT. */
export async function workerCommand(overrides: string[], opts: WorkerFlags): Promise<void> {
  const config = loadConfig(opts.config, overrides);
  if (!config.queue.url)
    throw new UsageError("queue.url is empty: set it (or REDIS_URL) to the queue's Redis");
  const concurrency =
    opts.concurrency === undefined
      ? availableParallelism()
      : parsePositiveInt("--concurrency", opts.concurrency);
  const metricsPort =
    opts.metricsPort === undefined ? undefined : parsePort("--metrics-port", opts.metricsPort);
  let counts = async (): Promise<Record<string, number>> => ({});
  const metrics = createWorkerMetrics(() => counts());
  const worker = await startUnitWorker(config.queue, concurrency, {
    onActive: (job) => log(INFO, "unit started", { unit: job.id }),
    onCompleted: (job, seconds) => {
      metrics.recordUnit("succeeded", seconds);
      log(INFO, "unit done", { unit: job.id, seconds });
    },
    onFailed: (job, reason) => {
      metrics.recordUnit("failed", 0);
      log(WARN, "unit failed", { unit: job?.id, reason });
    },
  });
  counts = () => worker.counts();
  const metricsAt =
    metricsPort === undefined ? undefined : await metrics.listen(opts.metricsHost, metricsPort);
  log(INFO, "worker ready", {
    concurrency,
    queue: redactUrl(config.queue.url),
    ...(metricsAt === undefined ? {} : { metrics: `http://${opts.metricsHost}:${metricsAt}/metrics` }),
  });
  // The first signal lets the running units finish; a second one exits at once, since a close that
  // waits on an unreachable Redis never ends (a unit cut short is retried elsewhere anyway).
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      process.once("SIGTERM", () => process.exit(1));
      process.once("SIGINT", () => process.exit(1));
      log(INFO, "worker stopping once its running units are done; a second signal stops it at once", {});
      void Promise.all([worker.close(), metrics.close()]).then(() => resolve());
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
}
