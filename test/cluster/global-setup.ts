import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    postgresUrl: string;
    /** The suite's Redis, and the folder of its data (for a test that restarts it). */
    redisUrl: string;
    redisFolder: string;
  }
}

const REPO = join(import.meta.dirname, "..", "..");

/** Runs one of the .ci scripts and gives what it prints; a failure names what the suite needs. */
export function ciScript(script: string, args: readonly string[], needs: string): string {
  try {
    return execFileSync("bash", [join(REPO, ".ci", script), ...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    }).trim();
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? "").trim();
    throw new Error(`test:cluster needs ${needs}: ${stderr || (error as Error).message}`);
  }
}

/**
 * A PostgreSQL and a Redis for the suite: the PostgreSQL that SALESCAST_TEST_POSTGRES_URL names, else a
 * throwaway server that .ci/start-postgres.sh starts; a throwaway Redis from .ci/start-redis.sh (a test
 * restarts it, so it is always the suite's own). Both are stopped afterwards. Without Debian's postgresql or
 * redis-server package a script fails saying so, and so does the suite.
 */
export default function setup(project: TestProject): () => void {
  const redisFolder = mkdtempSync(join(tmpdir(), "salescast-redis-"));
  project.provide("redisUrl", ciScript("start-redis.sh", [redisFolder], "Redis"));
  project.provide("redisFolder", redisFolder);
  const stopRedis = () => {
    ciScript("stop-redis.sh", [redisFolder], "Redis");
    rmSync(redisFolder, { recursive: true, force: true });
  };
  const given = process.env.SALESCAST_TEST_POSTGRES_URL;
  if (given !== undefined && given !== "") {
    project.provide("postgresUrl", given);
    return stopRedis;
  }
  const folder = mkdtempSync(join(tmpdir(), "salescast-pg-"));
  project.provide("postgresUrl", ciScript("start-postgres.sh", [folder], "PostgreSQL"));
  return () => {
    stopRedis();
    execFileSync("bash", [join(REPO, ".ci", "stop-postgres.sh"), folder], { stdio: "inherit" });
  };
}
