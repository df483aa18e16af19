import { cpSync, existsSync, mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Registry } from "../../src/registry/index.ts";
import { CliProcess, cleanEnv } from "./cli-process.ts";
import { CONFIG_FILE, quickTrainOverrides, type TrainedModels, trainTestModels } from "./trained-models.ts";

// What a crash leaves in the artifacts folder and the registry, cleaned by the next `salescast serve`, each
// with a log line: a saved folder no version names, an unfinished .partial folder, a run left running.

let trained: TrainedModels;
beforeAll(async () => {
  trained = await trainTestModels();
});
afterAll(() => trained.remove());

it("removes orphaned and unfinished model folders and fails runs left running, saying so", async () => {
  const orphan = join(trained.root, "20200101T000000000Z-deadbeef");
  cpSync(trained.global, orphan, { recursive: true });
  const partial = join(trained.root, ".0123456789ab.partial");
  mkdirSync(partial);
  writeFileSync(join(partial, "model.onnx"), "half");
  const longAgo = new Date(Date.now() - 2 * 3600_000);
  for (const folder of [orphan, partial]) utimesSync(folder, longAgo, longAgo);
  const registry = await Registry.open({ path: trained.registryPath, promotion: "manual" });
  const run = await registry.startRun((await registry.createRun("global")).id);
  await registry.close();

  const server = new CliProcess(
    [
      "serve",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--config",
      CONFIG_FILE,
      ...quickTrainOverrides(trained.root),
    ],
    cleanEnv(),
  );
  try {
    await server.listening();
    const messages = server.logs.map((line) => line.msg);
    expect(messages).toContain(
      `removed ${orphan}: a model folder no registry version names, left by a stopped training`,
    );
    expect(messages).toContain(`removed ${partial}: an unfinished model folder left by a stopped training`);
    expect(messages).toContain(`training run ${run.id} was cut off by a stop: marked failed`);
    expect(existsSync(orphan)).toBe(false);
    expect(existsSync(partial)).toBe(false);
    expect(existsSync(trained.global)).toBe(true);
  } finally {
    server.child.kill("SIGTERM");
    expect((await server.exited).code).toBe(0);
  }
});
