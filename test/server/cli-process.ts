import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("./fixtures/cli.ts", import.meta.url));
/** The whole program, every command. */
export const FULL_CLI = fileURLToPath(new URL("../../src/cli.ts", import.meta.url));
const REPO = fileURLToPath(new URL("../..", import.meta.url));

/** The environment without the variables that would set the port or host behind a test's back. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { PORT: _port, HOST: _host, ...env } = process.env;
  return { ...env, ...extra };
}

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** `salescast <args>` in a child process, reading its JSON log lines from stdout as they come. */
export class CliProcess {
  readonly child: ChildProcess;
  readonly logs: LogLine[] = [];
  stderr = "";
  private readonly watchers: { match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[], env: NodeJS.ProcessEnv = cleanEnv(), program = CLI) {
    this.child = spawn(process.execPath, ["--import", "tsx", program, ...args], { cwd: REPO, env });
    this.child.stderr?.on("data", (chunk) => {
      this.stderr += chunk;
    });
    createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on("line", (text) => {
      let line: LogLine;
      try {
        line = JSON.parse(text);
      } catch {
        return;
      }
      this.logs.push(line);
      for (const watcher of this.watchers.filter((w) => w.match(line))) {
        this.watchers.splice(this.watchers.indexOf(watcher), 1);
        watcher.resolve(line);
      }
    });
    this.exited = new Promise((resolve) =>
      this.child.on("exit", (code, signal) => resolve({ code, signal })),
    );
  }

  /** The first log line, past or future, that matches; rejects if the process exits first. */
  waitForLog(match: (line: LogLine) => boolean): Promise<LogLine> {
    const seen = this.logs.find(match);
    if (seen) return Promise.resolve(seen);
    const logged = new Promise<LogLine>((resolve) => this.watchers.push({ match, resolve }));
    const exited = this.exited.then(({ code }) => {
      throw new Error(`salescast exited (${code}) before the log line came; stderr: ${this.stderr}`);
    });
    return Promise.race([logged, exited]);
  }

  /** Resolves with the base URL once the server listens. */
  async listening(): Promise<string> {
    const line = await this.waitForLog((l) => l.msg.startsWith("Server listening at "));
    return line.msg.slice("Server listening at ".length);
  }
}
