import {
  applyOverrides,
  type Config,
  ConfigError,
  type TrainLimits,
  validateConfig,
} from "../config/index.ts";
import { HttpError } from "./errors.ts";

/** What a client may ask of a training run over HTTP. */
export interface TrainRequest {
  /** The series to train on (train.series); all when absent or empty. */
  series?: string[];
  /** Dotlist overrides such as `train.max_epochs=5`, applied over the server's configuration. */
  overrides?: string[];
}

/**
 * Keys a client may not override, and why: they choose files (where artifacts and the registry are written,
 * which CSV is read), the queue the work goes to, or how the server itself runs. A client must never redirect the server's files.
 */
function refusal(path: readonly string[]): string | undefined {
  switch (path[0]) {
    case "paths":
      return "paths.* choose where files are written";
    case "registry":
      return "registry.* choose the registry file and its promotion policy";
    case "server":
      return "server.* are the server's own settings";
    case "queue":
      return "queue.* choose the Redis the server's work goes to";
    case "train":
      if (path.length === 1 || path[1] === "limits") return "train.limits.* bound what a run may ask";
      return undefined;
    case "data":
      // replacing the whole section (`data={...}`) could set data.csv_path too
      if (path.length === 1 || path[1] === "csv_path") return "data.csv_path chooses the file read";
      return undefined;
    default:
      return undefined;
  }
}

type Tree = Record<string, unknown>;

const isTree = (value: unknown): value is Tree =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The key of an override, checked against the refused sections and against the configuration's own keys. */
function checkKey(base: Tree, override: string): void {
  const eq = override.indexOf("=");
  if (eq <= 0) {
    throw new HttpError(422, "invalid_override", `override '${override}' must look like section.key=value`);
  }
  const key = override.slice(0, eq);
  const path = key.split(".");
  const why = refusal(path);
  if (why !== undefined) {
    throw new HttpError(
      400,
      "forbidden_override",
      `override '${key}' is not allowed over HTTP: ${why}; set it in the server's configuration instead`,
    );
  }
  // Own keys only: `__proto__.x` or `constructor.prototype.y` must name nothing, never a prototype.
  let node: unknown = base;
  for (const [i, part] of path.entries()) {
    if (!isTree(node) || !Object.hasOwn(node, part)) {
      const where = path.slice(0, i).join(".") || "the top level";
      const known = isTree(node) ? Object.keys(node).join(", ") : "none: it is not a section";
      throw new HttpError(
        422,
        "invalid_override",
        `unknown config key '${key}' (keys under ${where}: ${known})`,
      );
    }
    node = node[part];
  }
}

/**
 * The configuration of a training run: the server's, with the request's overrides applied and `series` as
 * train.series, validated whole before any run is queued. A refused key is a 400 and a bad one a 422, each
 * naming the key, so a mistake never becomes a failed run. The admin token is blanked: the trainer saves
 * its configuration in the artifact's meta.json, and the registry hands that out.
 */
export function trainingConfig(base: Config, { series, overrides = [] }: TrainRequest): Config {
  const tree = structuredClone(base) as unknown as Tree;
  for (const override of overrides) checkKey(tree, override);
  let config: Config;
  try {
    const applied = applyOverrides(tree, overrides);
    if (series !== undefined) (applied.train as Tree).series = series;
    config = validateConfig(applied, "the training request");
  } catch (error) {
    if (error instanceof ConfigError) throw new HttpError(422, "invalid_override", error.message);
    throw error;
  }
  checkLimits(config, base.train.limits);
  return withoutSecrets(config);
}

/** Each bounded setting of a run, with the limit that bounds it. */
function boundedSettings(config: Config, limits: TrainLimits): [string, number, number, string][] {
  return [
    ["train.max_epochs", config.train.max_epochs, limits.max_epochs, "max_epochs"],
    ["data.window_size", config.data.window_size, limits.max_size, "max_size"],
    ["data.batch_size", config.data.batch_size, limits.max_size, "max_size"],
    ["model.conv_channels", config.model.conv_channels, limits.max_size, "max_size"],
    ["model.lstm_hidden", config.model.lstm_hidden, limits.max_size, "max_size"],
    ["model.lstm_layers", config.model.lstm_layers, limits.max_lstm_layers, "max_lstm_layers"],
    ["train.series", config.train.series.length, limits.max_series, "max_series"],
  ];
}

/** A run beyond the server's train.limits is a 422 naming the key, its value and the limit. */
function checkLimits(config: Config, limits: TrainLimits): void {
  for (const [key, value, limit, name] of boundedSettings(config, limits)) {
    if (value > limit) {
      const what = key === "train.series" ? `names ${value} series` : `is ${value}`;
      throw new HttpError(
        422,
        "over_limit",
        `${key} ${what}, over the server's limit of ${limit} (train.limits.${name})`,
      );
    }
  }
}

/** The configuration with the admin token (and where it is read from) blanked, for training (which records its configuration). */
export function withoutSecrets(config: Config): Config {
  return { ...config, server: { ...config.server, admin_token: "", admin_token_file: "" } };
}
