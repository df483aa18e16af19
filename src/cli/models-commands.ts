import type { Command } from "commander";
import { DEFAULT_CONFIG_PATH } from "../config/default-path.ts";
import { runLazily } from "./lazy.ts";
import type { ConfigFlag } from "./models-actions.ts";

const actions = () => import("./models-actions.ts");

export function registerModelsCommands(program: Command): void {
  const models = program.command("models").description("list, inspect, promote and roll back model versions");

  models
    .command("list")
    .description("every registered version: id, name, version, stage, validation MASE, creation time")
    .option("-c, --config <file>", "config file (registry.path)", DEFAULT_CONFIG_PATH)
    .action((flags: ConfigFlag) => runLazily(actions, (a) => a.listCommand(flags)));

  models
    .command("show")
    .description("one version as JSON: stage, metrics, artifact folder, training config")
    .argument("<id>", "model id (from models list)")
    .option("-c, --config <file>", "config file (registry.path)", DEFAULT_CONFIG_PATH)
    .action((id: string, flags: ConfigFlag) => runLazily(actions, (a) => a.showCommand(id, flags)));

  models
    .command("promote")
    .description("make a version serve for its name; the serving one is archived")
    .argument("<id>", "model id (from models list)")
    .option("-c, --config <file>", "config file (registry.path)", DEFAULT_CONFIG_PATH)
    .action((id: string, flags: ConfigFlag) => runLazily(actions, (a) => a.promoteCommand(id, flags)));

  models
    .command("rollback")
    .description("put back the version that served before the current one")
    .argument("[name]", 'model name, e.g. global or "series:Beauty"', "global")
    .option("-c, --config <file>", "config file (registry.path)", DEFAULT_CONFIG_PATH)
    .action((name: string, flags: ConfigFlag) => runLazily(actions, (a) => a.rollbackCommand(name, flags)));
}
