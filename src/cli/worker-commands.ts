import { availableParallelism } from "node:os";
import type { Command } from "commander";
import { DEFAULT_CONFIG_PATH, loadConfig, redactUrl } from "../config/index.ts";
import { createWorkerMetrics, startUnitWorker } from "../queue/index.ts";
import { parsePositiveInt, runCommand, UsageError } from "./errors.ts";

interface WorkerFlags {
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

/** `salescast worker`: trains work units from the queue at `queue.url` until SIGTERM or SIGINT. */
export function registerWorkerCommands(program: Command): void {
  program
    .command("worker")
    .description("train the work units of per-series trainings from the queue at queue.url (env REDIS_URL)")
    .option("-c, --config <file>", "config file", DEFAULT_CONFIG_PATH)
    .option("--concurrency <n>", "units trained at a time, each on a thread (default: one per core)")
    .option("--metrics-port <port>", "serve Prometheus metrics at GET /metrics on this port (0: a free one)")
    .option("--metrics-host <host>", "the address the metrics listen on", "127.0.0.1")
    .argument("[overrides...]", "config overrides such as queue.lock_ms=10000")
    .action((overrides: string[], opts: WorkerFlags) =>
      runCommand(async () => {
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
            log(
              INFO,
              "worker stopping once its running units are done; a second signal stops it at once",
              {},
            );
            void Promise.all([worker.close(), metrics.close()]).then(() => resolve());
          };
          process.on("SIGTERM", stop);
          process.on("SIGINT", stop);
        });
      }),
    );
}
