import { type Config, loadConfig } from "../config/index.ts";
import { type ModelVersion, type Registration, Registry, type StageChange } from "../registry/index.ts";
import { type TrainAndRegisterResult, trainAndRegister } from "../train/register.ts";
import { parsePositiveInt } from "./errors.ts";

export interface ConfigFlag {
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

/** `salescast models list`: every registered version as a table. */
export async function listCommand(flags: ConfigFlag): Promise<void> {
  const all = await openFromFlag(flags, (registry) => registry.list());
  console.log(all.length === 0 ? "no models registered" : formatTable(all));
}

/** `salescast models show ID`: one version as JSON. */
export async function showCommand(id: string, flags: ConfigFlag): Promise<void> {
  const model = await openFromFlag(flags, (registry) => registry.get(parsePositiveInt("ID", id)));
  process.stdout.write(`${JSON.stringify(model, null, 2)}\n`);
}

/** `salescast models promote ID`. */
export async function promoteCommand(id: string, flags: ConfigFlag): Promise<void> {
  const change = await openFromFlag(flags, (registry) => registry.promote(parsePositiveInt("ID", id)));
  console.log(describeChange("promoted", change));
}

/** `salescast models rollback [NAME]`. */
export async function rollbackCommand(name: string, flags: ConfigFlag): Promise<void> {
  const change = await openFromFlag(flags, (registry) => registry.rollback(name));
  console.log(describeChange("rolled back to", change));
}
