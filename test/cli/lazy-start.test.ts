import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { tempDir } from "../registry/fixtures.ts";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const RECORD = fileURLToPath(new URL("./record-loads-register.mjs", import.meta.url));

/** The modules `salescast <args>` loads, as paths under the repository (`src/...`, `node_modules/<pkg>`). */
function loadedBy(args: string[]): { status: number | null; modules: string[] } {
  const file = join(tempDir(), "loads.txt");
  const run = spawnSync(process.execPath, ["--import", RECORD, "--import", "tsx", "src/cli.ts", ...args], {
    cwd: REPO,
    encoding: "utf8",
    env: { ...process.env, SALESCAST_LOADS_FILE: file },
  });
  const modules = readFileSync(file, "utf8")
    .split("\n")
    .filter((url) => url.startsWith("file:"))
    .map((url) => {
      const path = fileURLToPath(url).slice(REPO.length);
      const inPackage = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      return inPackage ? `node_modules/${inPackage[1]}` : path;
    });
  return { status: run.status, modules: [...new Set(modules)] };
}

const HEAVY = [
  "node_modules/onnxruntime-node",
  "node_modules/fastify",
  "node_modules/bullmq",
  "node_modules/pg",
  "node_modules/date-holidays",
  "node_modules/@bsull/augurs",
  "src/train/",
  "src/server/",
  "src/model/",
  "src/forecasters/",
];
const heavyIn = (modules: string[]) => modules.filter((m) => HEAVY.some((heavy) => m.startsWith(heavy)));

describe("the CLI's start", () => {
  it("loads only the commands' registrations for --help", () => {
    const { status, modules } = loadedBy(["--help"]);
    expect(status).toBe(0);
    expect(modules.filter((m) => m.startsWith("src/")).sort()).toEqual([
      "src/checkpoint/defaults.ts",
      "src/cli.ts",
      "src/cli/forecast-commands.ts",
      "src/cli/import-commands.ts",
      "src/cli/lazy.ts",
      "src/cli/models-commands.ts",
      "src/cli/serve-commands.ts",
      "src/cli/train-commands.ts",
      "src/cli/worker-commands.ts",
      "src/config/default-path.ts",
    ]);
    expect(modules.filter((m) => m.startsWith("node_modules/")).sort()).toEqual([
      "node_modules/commander",
      "node_modules/esbuild",
      "node_modules/tsx",
    ]);
  });

  it("loads the forecast command's implementation when it runs, without ONNX Runtime, Fastify or training", () => {
    const { status, modules } = loadedBy(["forecast", "-c", join(tempDir(), "missing.yaml")]);
    expect(status).toBe(2);
    expect(modules).toContain("src/cli/forecast-actions.ts");
    expect(modules).not.toContain("src/cli/serve-actions.ts");
    expect(heavyIn(modules)).toEqual([]);
  });
});
