import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listArtifactFolders } from "../../src/artifact/index.ts";
import { Registry } from "../../src/registry/index.ts";
import { CliProcess, cleanEnv } from "./cli-process.ts";
import {
  CONFIG_FILE,
  loadForecaster,
  quickTrainOverrides,
  registryFile,
  salesWindow,
  type TrainedModels,
  trainTestModels,
} from "./trained-models.ts";

let trained: TrainedModels;
beforeAll(async () => {
  trained = await trainTestModels();
});
afterAll(() => trained.remove());

const WINDOW = salesWindow(1);

async function predictCli(args: string[], root = trained.root) {
  const run = new CliProcess(["predict", ...args, "--config", CONFIG_FILE, ...quickTrainOverrides(root)]);
  const stdout: string[] = [];
  run.child.stdout?.on("data", (chunk) => stdout.push(String(chunk)));
  const { code } = await run.exited;
  return { code, stdout: stdout.join(""), stderr: run.stderr };
}

describe("salescast predict", () => {
  it("prints the forecast as JSON, as the API answers it", async () => {
    const { code, stdout, stderr } = await predictCli([
      "--series-id",
      "Electronics",
      "--values",
      WINDOW.join(","),
    ]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const global = await loadForecaster(trained.global);
    try {
      const expected = await global.predict(WINDOW, "Electronics");
      expect(JSON.parse(stdout)).toMatchObject({
        predicted_sales: expected.predicted_sales,
        forecast: expected.forecast,
        model: { name: "global", version: "v1", id: 1, series_id: "Electronics" },
      });
    } finally {
      await global.close();
    }
  });

  it.each([
    [["--values", "1,2,3"], "error: --values must contain exactly 14 values, got 3\n"],
    [
      ["--values", `${WINDOW.slice(1).join(",")},abc`],
      "error: --values: value 14 ('abc') is not a finite number\n",
    ],
    [
      ["--values", `${WINDOW.slice(1).join(",")},`],
      "error: --values: value 14 ('') is not a finite number\n",
    ],
    [
      ["--values", `Infinity,${WINDOW.slice(1).join(",")}`],
      "error: --values: value 1 ('Infinity') is not a finite number\n",
    ],
    [
      ["--series-id", "../../etc/passwd", "--values", WINDOW.join(",")],
      "error: no model serves series '../../etc/passwd' (known: Beauty, Clothing, Electronics)\n",
    ],
  ])("exits 2 with a clear message for %j", async (args, message) => {
    const { code, stdout, stderr } = await predictCli(args);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(message);
  });

  it("exits 2 saying how to train a model when there is none", async () => {
    const empty = mkdtempSync(join(tmpdir(), "salescast-empty-"));
    try {
      const { code, stderr } = await predictCli(["--values", WINDOW.join(",")], empty);
      expect(code).toBe(2);
      expect(stderr).toMatch(/^error: no model is loaded: train one with `npx salescast train`/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe("salescast predict reads the registry", () => {
  it("answers with the production version, not the newest artifact, and follows a promotion", async () => {
    const root = mkdtempSync(join(tmpdir(), "salescast-predict-"));
    try {
      const first = join(root, "20240101T000000000Z-00000001");
      const second = join(root, "20240201T000000000Z-00000002");
      cpSync(trained.global, first, { recursive: true });
      cpSync(trained.global, second, { recursive: true });
      const registry = await Registry.open({ path: registryFile(root), promotion: "manual" });
      let ids: number[];
      try {
        ids = [
          (await registry.register({ folder: first })).model.id,
          (await registry.register({ folder: second })).model.id,
        ];
        await registry.promote(ids[0]);
      } finally {
        await registry.close();
      }
      const version = async () =>
        JSON.parse((await predictCli(["--values", WINDOW.join(",")], root)).stdout).model;
      expect(await version()).toMatchObject({ name: "global", version: "v1", id: ids[0] });
      const promote = await Registry.open({ path: registryFile(root), promotion: "manual" });
      try {
        await promote.promote(ids[1]);
      } finally {
        await promote.close();
      }
      expect(await version()).toMatchObject({ name: "global", version: "v2", id: ids[1] });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("salescast serve --train-if-missing", () => {
  it("trains when no model exists, then serves it on the port PORT names", async () => {
    const root = mkdtempSync(join(tmpdir(), "salescast-fresh-"));
    const server = new CliProcess(
      [
        "serve",
        "--train-if-missing",
        "--host",
        "127.0.0.1",
        "--config",
        CONFIG_FILE,
        ...quickTrainOverrides(root),
      ],
      cleanEnv({ PORT: "0" }),
    );
    try {
      const url = await server.listening();
      expect(new URL(url).port).not.toBe("8000");
      const [folder] = listArtifactFolders(root);
      expect(listArtifactFolders(root)).toHaveLength(1);
      const registry = await Registry.open({ path: registryFile(root), promotion: "if_better" });
      let production: Awaited<ReturnType<Registry["production"]>>;
      try {
        production = await registry.production();
      } finally {
        await registry.close();
      }
      // trained, registered as version 1 of "global", and served as such
      expect(production).toEqual([{ id: 1, name: "global", version: 1, folder }]);
      const health = await (await fetch(`${url}/api/health`)).json();
      expect(health).toMatchObject({ models_loaded: 1, models: [{ name: "global", version: "v1", id: 1 }] });
      const answer = await fetch(`${url}/api/predict`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ series: WINDOW }),
      });
      expect(answer.status).toBe(200);
    } finally {
      server.child.kill("SIGTERM");
      expect(await server.exited).toEqual({ code: 0, signal: null });
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("without the flag, serves with no model and says so", async () => {
    const root = mkdtempSync(join(tmpdir(), "salescast-fresh-"));
    const server = new CliProcess([
      "serve",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--config",
      CONFIG_FILE,
      ...quickTrainOverrides(root),
    ]);
    try {
      const url = await server.listening();
      expect(listArtifactFolders(root)).toEqual([]);
      expect(await (await fetch(`${url}/api/health`)).json()).toMatchObject({ models_loaded: 0 });
      expect(server.logs.some((line) => line.level === 40 && line.msg.includes("npx salescast train"))).toBe(
        true,
      );
    } finally {
      server.child.kill("SIGINT");
      expect(await server.exited).toEqual({ code: 0, signal: null });
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("exits 2 for a bad --port", async () => {
    const run = new CliProcess(["serve", "--port", "80x", "--config", CONFIG_FILE]);
    expect((await run.exited).code).toBe(2);
    expect(run.stderr).toBe("error: --port must be an integer from 0 to 65535, got '80x'\n");
  });
});
