import type { Command } from "commander";
import { DEFAULT_CONFIG_PATH } from "../config/default-path.ts";
import { runLazily } from "./lazy.ts";
import type { BacktestFlags } from "./train-actions.ts";

const actions = () => import("./train-actions.ts");

export function registerTrainCommands(program: Command): void {
  program
    .command("train")
    .description(
      "train on the configured CSV, save the model files (ONNX, normalization, meta) and register them",
    )
    .option("-c, --config <file>", "config file", DEFAULT_CONFIG_PATH)
    .argument("[overrides...]", "config overrides such as model.lstm_hidden=128 train.max_epochs=3")
    .action((overrides: string[], opts: { config: string }) =>
      runLazily(actions, (a) => a.trainCommand(overrides, opts)),
    );

  program
    .command("backtest")
    .description("run the accuracy protocol (last H points of every series held out) and print a JSON report")
    .requiredOption("--data <file>", "CSV in transactions or long (series_id,date,value) format")
    .requiredOption("--horizon <H>", "test points at the end of every series; the model forecasts H steps")
    .option(
      "--season <m>",
      "seasonal period for seasonal naive and MASE (default by frequency: D 7, W 52, M 12)",
    )
    .option("--frequency <D|W|M>", "period of the series (default: read from the dates)")
    .option(
      "--holiday-weeks <country>",
      "also report the error on holdout periods holding this country's holidays",
    )
    .option("-c, --config <file>", "config file for model and training settings", DEFAULT_CONFIG_PATH)
    .argument("[overrides...]", "config overrides such as train.scope=per_series data.window_size=26")
    .action((overrides: string[], opts: BacktestFlags) =>
      runLazily(actions, (a) => a.backtestCommand(overrides, opts)),
    );
}
