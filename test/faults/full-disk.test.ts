import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Registry } from "../../src/registry/index.ts";
import type { RunView } from "../../src/server/index.ts";
import { eventually, startServer, trainVersions } from "../server/registry-server.ts";
import { salesWindow } from "../server/trained-models.ts";
import { AUTH, scenario } from "./harness.ts";

// A full disk under the artifacts folder: a real tmpfs of 4 KiB, smaller than one model's files. The fault
// suite runs as root (CI does), so it can mount one; a machine that cannot fails here, saying so.

const { dir, config } = scenario(["registry.promotion=always"]);
const fullDisk = join(dir, "full-disk");

beforeAll(async () => {
  mkdirSync(fullDisk, { recursive: true });
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=4k", "tmpfs", fullDisk], { stdio: "pipe" });
  } catch (error) {
    throw new Error(
      `the full-disk fault needs a tmpfs: mount failed (run as root): ${String((error as Error).message)}`,
    );
  }
});

afterAll(async () => {
  execFileSync("umount", [fullDisk]);
  rmSync(dir, { recursive: true, force: true });
});

it("a training run on a full disk fails with a clear message, leaves nothing behind, and production keeps serving", async () => {
  const registry = await Registry.open(config.registry);
  const [v1] = await trainVersions(config, registry, [1]);
  const onFullDisk = { ...config, paths: { artifacts: fullDisk } };
  const server = await startServer(dir, onFullDisk, registry);
  try {
    const started = await server.app.inject({
      method: "POST",
      url: "/api/train",
      headers: AUTH,
      payload: {},
    });
    expect(started.statusCode).toBe(202);
    const run = await eventually("the run to end", async () => {
      const view = (
        await server.app.inject({ method: "GET", url: `/api/train/${started.json().run_id}` })
      ).json() as RunView;
      return view.hot_swap === undefined ? undefined : view;
    });
    expect(run.status).toBe("failed");
    expect(run.error).toBe(
      "cannot save the model files in …/full-disk: no space left on the device (ENOSPC)",
    );
    expect(readdirSync(fullDisk)).toEqual([]);
    expect((await registry.list()).map((model) => [model.id, model.stage])).toEqual([[v1.id, "production"]]);
    const answer = await server.app.inject({
      method: "POST",
      url: "/api/predict",
      payload: { series: salesWindow(1) },
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.json().model.id).toBe(v1.id);
    expect((await server.app.inject({ method: "GET", url: "/api/health/ready" })).statusCode).toBe(200);
  } finally {
    await server.app.close();
    await registry.close();
  }
});
