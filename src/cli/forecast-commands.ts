import type { Command } from "commander";
import { DEFAULT_CONFIG_PATH } from "../config/default-path.ts";
import type { CvFlags } from "./cv-actions.ts";
import type { ForecastFlags } from "./forecast-actions.ts";
import { runLazily } from "./lazy.ts";

const actions = () => import("./forecast-actions.ts");
const cvActions = () => import("./cv-actions.ts");

/** `salescast cv` (rolling-origin cross-validation) and `salescast forecast` (the stored forecasts). */
export function registerForecastCommands(program: Command): void {
  program
    .command("cv")
    .description("rolling-origin cross-validation of every member and the ensemble; prints a JSON report")
    .requiredOption("--data <file>", "CSV in transactions or long (series_id,date,value) format")
    .requiredOption("--horizon <H>", "steps forecast from each origin")
    .requiredOption("--windows <K>", "forecast origins per series; the last is H before the end")
    .option("--step <S>", "periods between origins (default: H)")
    .option(
      "--season <m>",
      "seasonal period for seasonal naive and MASE (default by frequency: D 7, W 52, M 12)",
    )
    .option("--per-series <file.csv>", "also write series_id,cutoff,date,actual,ensemble,<member>... rows")
    .option("-c, --config <file>", "config file for model and training settings", DEFAULT_CONFIG_PATH)
    .argument("[overrides...]", "config overrides such as model.members=[linear,mstl]")
    .action((overrides: string[], flags: CvFlags) =>
      runLazily(cvActions, (a) => a.cvCommand(overrides, flags)),
    );

  program
    .command("forecast")
    .description("the production versions' stored forecasts of every series (or the named ones), offline")
    .option("--series <id...>", "only these series", [])
    .option("--horizon <H>", "periods per series, at most the trained horizon (default: all)")
    .option("--level <L,...>", "interval levels in percent, e.g. 80,95 (default: model.levels); '' for none")
    .option(
      "--out <file>",
      "write a .csv (series_id,date,forecast,lo_80,hi_80,...) or .json file instead of printing JSON",
    )
    .option("-c, --config <file>", "config file", DEFAULT_CONFIG_PATH)
    .argument("[overrides...]", "config overrides such as registry.path=models/registry.db")
    .action((overrides: string[], flags: ForecastFlags) =>
      runLazily(actions, (a) => a.forecastCommand(overrides, flags)),
    );
}
