// each error from its own module: a command loads only what it uses (see lazy.ts)
import { ArtifactError } from "../artifact/store.ts";
import { CheckpointError } from "../checkpoint/errors.ts";
import { ConfigError } from "../config/load.ts";
import { DataError } from "../data/errors.ts";
import { QueueError } from "../queue/errors.ts";
import { RegistryError } from "../registry/errors.ts";

/** A bad command-line argument, reported like any other user error. */
export class UsageError extends Error {
  override name = "UsageError";
}

const USER_ERRORS = [
  CheckpointError,
  ConfigError,
  DataError,
  ArtifactError,
  RegistryError,
  QueueError,
  UsageError,
];

/** Runs a command; a user's mistake prints one clear line and exits 2, anything else shows its stack and exits 1. */
export async function runCommand(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (USER_ERRORS.some((kind) => error instanceof kind)) {
      process.stderr.write(`error: ${(error as Error).message}\n`);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
}

export function parsePositiveInt(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new UsageError(`${name} must be a positive integer, got '${text}'`);
  return value;
}
