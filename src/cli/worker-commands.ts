import { availableParallelism } from "node:os";
import type { Command } from "commander";
import { DEFAULT_CONFIG_PATH, loadConfig, redactUrl } from "../config/index.ts";
import { startUnitWorker } from "../queue/index.ts";
import { parsePositiveInt, runCommand, UsageError } from "./errors.ts";

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
    .argument("[overrides...]", "config overrides such as queue.lock_ms=10000")
    .action((overrides: string[], opts: { config: string; concurrency?: string }) =>
      runCommand(async () => {
        const config = loadConfig(opts.config, overrides);
        if (!config.queue.url)
          throw new UsageError("queue.url is empty: set it (or REDIS_URL) to the queue's Redis");
        const concurrency =
          opts.concurrency === undefined
            ? availableParallelism()
            : parsePositiveInt("--concurrency", opts.concurrency);
        const worker = await startUnitWorker(config.queue, concurrency, {
          onActive: (job) => log(INFO, "unit started", { unit: job.id }),
          onCompleted: (job, seconds) => log(INFO, "unit done", { unit: job.id, seconds }),
          onFailed: (job, reason) => log(WARN, "unit failed", { unit: job?.id, reason }),
        });
        log(INFO, "worker ready", { concurrency, queue: redactUrl(config.queue.url) });
        await new Promise<void>((resolve) => {
          const stop = () => {
            process.off("SIGTERM", stop);
            process.off("SIGINT", stop);
            log(INFO, "worker stopping once its running units are done", {});
            void worker.close().then(resolve);
          };
          process.on("SIGTERM", stop);
          process.on("SIGINT", stop);
        });
      }),
    );
}
