import type { Command } from "commander";
import { type Config, DEFAULT_CONFIG_PATH, loadConfig } from "../config/index.ts";
import { type ModelVersion, type Registration, Registry, type StageChange } from "../registry/index.ts";
import { type TrainAndRegisterResult, trainAndRegister } from "../train/register.ts";
import { parsePositiveInt, runCommand } from "./errors.ts";

interface ConfigFlag {
  config: string;
}

async function withRegistry<T>(config: Config, use: (registry: Registry) => T | Promise<T>): Promise<T> {
  const registry = await Registry.open(config.registry);
  try {
    return await use(registry);
  } finally {
    await registry.close();
  }
}

const openFromFlag = <T>(flags: ConfigFlag, use: (registry: Registry) => T | Promise<T>) =>
  withRegistry(loadConfig(flags.config), use);

const label = (model: ModelVersion) => `${model.name} v${model.version} (id ${model.id})`;

function formatTable(models: readonly ModelVersion[]): string {
  const header = ["ID", "NAME", "VERSION", "STAGE", "VAL MASE", "CREATED"];
  const rows = models.map((m) => [
    String(m.id),
    m.name,
    String(m.version),
    m.stage,
    m.metrics.model.mase === null ? "n/a" : m.metrics.model.mase.toFixed(3),
    m.created_at,
  ]);
  const widths = header.map((h, column) => Math.max(h.length, ...rows.map((row) => row[column].length)));
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

function describeChange(verb: string, change: StageChange): string {
  const replaced = change.replaced === null ? "" : `; ${label(change.replaced)} archived`;
  return `${verb} ${label(change.model)}: now in production${replaced}`;
}

/** One line for a registered version: promoted or not, and why. */
export function describeRegistration(registration: Registration): string {
  const outcome = registration.promoted ? "promoted to production" : "left as candidate";
  return `${label(registration.model)}: registered, ${outcome} (${registration.reason})`;
}

/**
 * `salescast train` with the registry: trains as trainFromConfig does (progress on stderr), registers each
 * saved model, and returns the models with their registrations.
 */
export function trainIntoRegistry(config: Config): Promise<TrainAndRegisterResult> {
  return withRegistry(config, (registry) => trainAndRegister(config, { registry }));
}

export function registerModelsCommands(program: Command): void {
  const models = program.command("models").description("list, inspect, promote and roll back model versions");

  models
    .command("list")
    .description("every registered version: id, name, version, stage, validation MASE, creation time")
    .option("-c, --config <file>", "config file (registry.path)", DEFAULT_CONFIG_PATH)
    .action((flags: ConfigFlag) =>
      runCommand(async () => {
        const all = await openFromFlag(flags, (registry) => registry.list());
        console.log(all.length === 0 ? "no models registered" : formatTable(all));
      }),
    );

  models
    .command("show")
    .description("one version as JSON: stage, metrics, artifact folder, training config")
    .argument("<id>", "model id (from models list)")
    .option("-c, --config <file>", "config file (registry.path)", DEFAULT_CONFIG_PATH)
    .action((id: string, flags: ConfigFlag) =>
      runCommand(async () => {
        const model = await openFromFlag(flags, (registry) => registry.get(parsePositiveInt("ID", id)));
        process.stdout.write(`${JSON.stringify(model, null, 2)}\n`);
      }),
    );

  models
    .command("promote")
    .description("make a version serve for its name; the serving one is archived")
    .argument("<id>", "model id (from models list)")
    .option("-c, --config <file>", "config file (registry.path)", DEFAULT_CONFIG_PATH)
    .action((id: string, flags: ConfigFlag) =>
      runCommand(async () => {
        const change = await openFromFlag(flags, (registry) => registry.promote(parsePositiveInt("ID", id)));
        console.log(describeChange("promoted", change));
      }),
    );

  models
    .command("rollback")
    .description("put back the version that served before the current one")
    .argument("[name]", 'model name, e.g. global or "series:Beauty"', "global")
    .option("-c, --config <file>", "config file (registry.path)", DEFAULT_CONFIG_PATH)
    .action((name: string, flags: ConfigFlag) =>
      runCommand(async () => {
        const change = await openFromFlag(flags, (registry) => registry.rollback(name));
        console.log(describeChange("rolled back to", change));
      }),
    );
}
