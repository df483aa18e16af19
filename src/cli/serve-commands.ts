import type { Command } from "commander";
import { DEFAULT_CONFIG_PATH } from "../config/default-path.ts";
import { runLazily } from "./lazy.ts";
import type { PredictFlags, ServeFlags } from "./serve-actions.ts";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

const actions = () => import("./serve-actions.ts");

/** `salescast serve` and `salescast predict`. */
export function registerServeCommands(program: Command): void {
  program
    .command("serve")
    .description("serve forecasts over HTTP (POST /api/predict, GET /api/health, OpenAPI UI at /docs)")
    .option("-c, --config <file>", "config file", DEFAULT_CONFIG_PATH)
    .option("-p, --port <n>", "port to listen on (default: server.port, or env PORT)")
    .option("--host <host>", "address to listen on (default: server.host, or env HOST)")
    .option(
      "--train-if-missing",
      "when the registry has no production model, train and register one on the configured data first",
    )
    .option("--log-level <level>", `log level: ${LOG_LEVELS.join(", ")}`, "info")
    .argument("[overrides...]", "config overrides such as server.micro_batch_max=128")
    .action((overrides: string[], flags: ServeFlags) => runLazily(actions, (a) => a.serve(overrides, flags)));

  program
    .command("predict")
    .description("print one forecast as JSON, from the registry's production models (no server)")
    .requiredOption("--values <v1,v2,...>", "the last window_size sales values, oldest first")
    .option("--series-id <id>", "the series to forecast (default: the global model's pooled statistics)")
    .option("-c, --config <file>", "config file", DEFAULT_CONFIG_PATH)
    .argument("[overrides...]", "config overrides such as registry.path=models/registry.db")
    .action((overrides: string[], flags: PredictFlags) =>
      runLazily(actions, (a) => a.predict(overrides, flags)),
    );
}
