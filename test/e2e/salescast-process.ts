import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { captureOutput, stopProcess } from "./processes.ts";

export interface SalescastProcess {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  /** What the server has logged so far. */
  output(): string;
  stop(): Promise<void>;
}

const LISTENING = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/;
const START_TIMEOUT_MS = 240_000;

/**
 * Starts the real CLI, `salescast serve --train-if-missing`, on a free loopback port, with its model files and
 * registry in a fresh temporary folder (so the first start trains on the bundled data, about a second here),
 * and the config overrides given.
 */
export function startSalescast(overrides: readonly string[] = []): Promise<SalescastProcess> {
  const state = mkdtempSync(join(tmpdir(), "salescast-e2e-"));
  const child = spawn(
    process.execPath,
    [
      "bin/salescast.js",
      "serve",
      "--train-if-missing",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      `paths.artifacts=${join(state, "artifacts")}`,
      `registry.path=${join(state, "registry.db")}`,
      ...overrides,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const log = captureOutput(child);

  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.removeAllListeners("exit");
      void stopProcess(child).then(() =>
        reject(new Error(`salescast serve ${why}; its output:\n${log.text()}`)),
      );
    };
    const timer = setTimeout(() => fail(`did not listen within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.once("exit", (code, signal) => fail(`exited (code ${code}, signal ${signal}) before listening`));
    child.stdout.on("data", function onData() {
      const port = LISTENING.exec(log.text())?.[1];
      if (port === undefined) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      child.stdout.off("data", onData);
      resolve({
        url: `http://127.0.0.1:${port}`,
        port: Number(port),
        output: log.text,
        stop: () => stopProcess(child),
      });
    });
  });
}
