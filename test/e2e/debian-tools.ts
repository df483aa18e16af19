import { spawnSync } from "node:child_process";

/**
 * The path of a command that a Debian package provides. Fails (never skips) when it is missing, naming the
 * package to install, since these tests exist to run against the real tool.
 */
export function requireTool(command: string, debianPackage: string): string {
  const found = spawnSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" });
  const path = found.stdout.trim();
  if (found.status !== 0 || path === "") {
    throw new Error(`${command} not found: apt-get install -y ${debianPackage}`);
  }
  return path;
}

export interface ToolRun {
  status: number | null;
  output: string;
}

/** Runs a tool to completion; `output` holds stdout and stderr, to quote when an assertion fails. */
export function runTool(path: string, args: string[], input?: string): ToolRun {
  const run = spawnSync(path, args, { input, encoding: "utf8", timeout: 60_000 });
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}
