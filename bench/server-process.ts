/** What the benches that start servers share: the serve command, pinning a command to a core, and waiting for a server to answer. */
import { type ChildProcess, spawnSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

export const canPin = spawnSync("taskset", ["-c", "0", "true"]).status === 0;

/** The command run on `core` with taskset, or as it is where taskset cannot pin. */
export const onCore = (core: string, command: string, args: string[]): [string, string[]] =>
  canPin ? ["taskset", ["-c", core, command, ...args]] : [command, args];

const CLI = fileURLToPath(new URL("../src/cli.ts", import.meta.url));

/** Node's arguments for `salescast serve` on 127.0.0.1:`port`, logging warnings only, with config overrides. */
export const serveArgs = (port: number, overrides: readonly string[]): string[] => [
  "--import",
  "tsx",
  CLI,
  "serve",
  "--port",
  String(port),
  "--host",
  "127.0.0.1",
  "--log-level",
  "warn",
  ...overrides,
];

/** Polls GET /api/health until it answers 200; a server takes a second or so to load, a large model longer. */
export async function waitUntilUp(port: number, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server on port ${port} exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`the server on port ${port} did not come up within ${timeoutMs / 1000} s`);
}
