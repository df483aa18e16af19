import type { Command } from "commander";
import { DEFAULT_CONFIG_PATH } from "../config/default-path.ts";
import { runLazily } from "./lazy.ts";
import type { WorkerFlags } from "./worker-actions.ts";

const actions = () => import("./worker-actions.ts");

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
      runLazily(actions, (a) => a.workerCommand(overrides, opts)),
    );
}
