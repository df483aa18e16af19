import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

const REPO = join(import.meta.dirname, "..", "..");

/**
 * A PostgreSQL for the suite: the one SALESCAST_TEST_POSTGRES_URL names, else a throwaway server that
 * .ci/start-postgres.sh starts (and that is stopped afterwards). Without Debian's postgresql package the
 * script fails saying so, and so does the suite.
 */
export default function setup(project: TestProject): (() => void) | undefined {
  const given = process.env.SALESCAST_TEST_POSTGRES_URL;
  if (given !== undefined && given !== "") {
    project.provide("postgresUrl", given);
    return undefined;
  }
  const folder = mkdtempSync(join(tmpdir(), "salescast-pg-"));
  let url: string;
  try {
    url = execFileSync("bash", [join(REPO, ".ci", "start-postgres.sh"), folder], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    }).trim();
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? "").trim();
    throw new Error(`test:cluster needs PostgreSQL: ${stderr || (error as Error).message}`);
  }
  project.provide("postgresUrl", url);
  return () => {
    execFileSync("bash", [join(REPO, ".ci", "stop-postgres.sh"), folder], { stdio: "inherit" });
  };
}
