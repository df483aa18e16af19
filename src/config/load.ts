import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { DEFAULT_CONFIG_PATH } from "./default-path.ts";
import { type Config, configSchema } from "./schema.ts";

export { DEFAULT_CONFIG_PATH };

/** A configuration that cannot be used; the message names each bad key and the rule it breaks. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

type Tree = Record<string, unknown>;

function isTree(value: unknown): value is Tree {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An override's value read as YAML; text that is not YAML (`%`, an unclosed `{`) is a ConfigError naming the key. */
function overrideValue(key: string, raw: string): unknown {
  try {
    return parseYaml(raw);
  } catch (error) {
    const reason = (error as Error).message.split("\n")[0];
    throw new ConfigError(`override '${key}' has a value that is not valid YAML: ${reason}`);
  }
}

/**
 * Applies OmegaConf-style dotlist overrides (`model.lstm_hidden=128`) to a parsed config tree.
 * Values are read as YAML scalars or flow collections (`3`, `0.5`, `true`, `[a, b]`); a key that the
 * tree does not have is an error, so a typo never passes silently.
 */
export function applyOverrides(tree: Tree, overrides: readonly string[]): Tree {
  const result = structuredClone(tree);
  for (const override of overrides) {
    const eq = override.indexOf("=");
    if (eq <= 0) throw new ConfigError(`override '${override}' must look like section.key=value`);
    const path = override.slice(0, eq).split(".");
    const raw = override.slice(eq + 1);
    let node: Tree = result;
    for (const [i, part] of path.entries()) {
      // Own keys only: `__proto__` or `constructor` must never reach Object.prototype.
      if (!Object.hasOwn(node, part)) {
        const where = path.slice(0, i).join(".") || "the top level";
        const known = Object.keys(node).join(", ");
        throw new ConfigError(`unknown config key '${path.join(".")}' (keys under ${where}: ${known})`);
      }
      if (i === path.length - 1) {
        node[part] = raw === "" ? "" : overrideValue(path.join("."), raw);
      } else {
        const next = node[part];
        if (!isTree(next))
          throw new ConfigError(`config key '${path.slice(0, i + 1).join(".")}' is not a section`);
        node = next;
      }
    }
  }
  return result;
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const key = issue.path.join(".") || "(top level)";
      return `  - ${key}: ${issue.message}`;
    })
    .join("\n");
}

/** Validates a config tree against the schema, or throws a ConfigError naming every bad key. */
export function validateConfig(tree: unknown, source: string): Config {
  const parsed = configSchema.safeParse(tree);
  if (!parsed.success)
    throw new ConfigError(`invalid configuration in ${source}:\n${formatIssues(parsed.error.issues)}`);
  return parsed.data;
}

export function readConfigTree(file: string): Tree {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`);
  }
  let tree: unknown;
  try {
    tree = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`config file ${file} is not valid YAML: ${(error as Error).message}`);
  }
  if (!isTree(tree)) throw new ConfigError(`config file ${file} must hold a mapping of sections`);
  return tree;
}

/** Environment variables that set config keys, as container platforms expect (PORT) or for secrets. */
const ENV_KEYS: Record<string, { key: string; text: boolean }> = {
  PORT: { key: "server.port", text: false },
  HOST: { key: "server.host", text: true },
  SALESCAST_ADMIN_TOKEN: { key: "server.admin_token", text: true },
  SALESCAST_ADMIN_TOKEN_FILE: { key: "server.admin_token_file", text: true },
  DATABASE_URL: { key: "registry.url", text: true },
  REDIS_URL: { key: "queue.url", text: true },
};

/** The env variables that are set, as dotlist overrides; they apply before the command line's. */
export function envOverrides(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(ENV_KEYS)
    .filter(([name]) => env[name] !== undefined && env[name] !== "")
    .map(([name, { key, text }]) => `${key}=${text ? JSON.stringify(env[name]) : env[name]}`);
}

/**
 * Reads the YAML file, applies the environment (PORT, HOST, SALESCAST_ADMIN_TOKEN, SALESCAST_ADMIN_TOKEN_FILE,
 * DATABASE_URL, REDIS_URL) and then the dotlist
 * overrides, and validates the result.
 */
export function loadConfig(
  file: string = DEFAULT_CONFIG_PATH,
  overrides: readonly string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): Config {
  const tree = applyOverrides(applyOverrides(readConfigTree(file), envOverrides(env)), overrides);
  const source = overrides.length > 0 ? `${file} with overrides ${overrides.join(" ")}` : file;
  return validateConfig(tree, source);
}
