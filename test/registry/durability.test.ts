import { existsSync, mkdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeFolderAtomic } from "../../src/artifact/index.ts";
import { RegistryError, removeOrphanedArtifacts } from "../../src/registry/index.ts";
import { fakeArtifact, openTempRegistry, rejectionOf, tempDir, thrownBy } from "./fixtures.ts";

describe("registerAll", () => {
  it("registers every artifact in one transaction, each with its promotion", async () => {
    const dir = tempDir();
    const registry = await openTempRegistry("always", dir);
    const artifacts = join(dir, "artifacts");
    const all = ["series:A", "series:B", "series:C"].map((name) => fakeArtifact(artifacts, name, 1));
    const registrations = await registry.registerAll(all);
    expect(registrations.map((r) => [r.model.name, r.model.version, r.promoted])).toEqual([
      ["series:A", 1, true],
      ["series:B", 1, true],
      ["series:C", 1, true],
    ]);
    expect((await registry.production()).map((model) => model.name)).toEqual([
      "series:A",
      "series:B",
      "series:C",
    ]);
  });

  it("registers none when one of them fails, even the ones before it", async () => {
    const dir = tempDir();
    const registry = await openTempRegistry("always", dir);
    const artifacts = join(dir, "artifacts");
    const first = fakeArtifact(artifacts, "series:A", 1);
    const second = fakeArtifact(artifacts, "series:B", 1);
    await registry.register(second); // registering it again is a conflict, inside the transaction
    const error = await rejectionOf(registry.registerAll([first, second]));
    expect(error).toBeInstanceOf(RegistryError);
    expect((await registry.list()).map((model) => model.name)).toEqual(["series:B"]);
  });

  it("finishes the run in the same transaction, or leaves it running with no versions", async () => {
    const dir = tempDir();
    const registry = await openTempRegistry("always", dir);
    const artifacts = join(dir, "artifacts");
    const run = await registry.startRun((await registry.createRun("per_series")).id);
    const [a, b] = ["series:A", "series:B"].map((name) => fakeArtifact(artifacts, name, 1));
    rmSync(join(b.folder, "model.onnx"));
    await expect(registry.registerAll([a, b], run.id)).rejects.toThrow(/model\.onnx is missing/);
    expect(await registry.getRun(run.id)).toMatchObject({ status: "running", model_ids: [] });
    expect(await registry.list()).toEqual([]);

    const c = fakeArtifact(artifacts, "series:B", 1);
    const done = await registry.registerAll([a, c], run.id);
    expect(await registry.getRun(run.id)).toMatchObject({
      status: "succeeded",
      model_ids: done.map((r) => r.model.id),
    });
  });
});

describe("removeOrphanedArtifacts", () => {
  it("removes old folders no version names, and keeps registered and young ones", async () => {
    const dir = tempDir();
    const registry = await openTempRegistry("always", dir);
    const artifacts = join(dir, "artifacts");
    const registered = fakeArtifact(artifacts, "global", 1);
    await registry.register(registered);
    const orphan = fakeArtifact(artifacts, "global", 1);
    const young = fakeArtifact(artifacts, "global", 1);
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (const folder of [registered.folder, orphan.folder]) utimesSync(folder, hourAgo, hourAgo);
    expect(await removeOrphanedArtifacts(artifacts, registry, 60_000)).toEqual([orphan.folder]);
    expect(existsSync(orphan.folder)).toBe(false);
    expect(existsSync(registered.folder)).toBe(true);
    expect(existsSync(young.folder)).toBe(true);
  });

  it("does nothing without an artifacts folder", async () => {
    const dir = tempDir();
    expect(
      await removeOrphanedArtifacts(join(dir, "none"), await openTempRegistry("always", dir), 0),
    ).toEqual([]);
  });
});

describe("writeFolderAtomic", () => {
  it("turns a failed write into a message that says why, and leaves nothing behind", async () => {
    const dir = tempDir();
    const root = join(dir, "artifacts");
    mkdirSync(root);
    const full = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    const error = thrownBy(() =>
      writeFolderAtomic(join(root, "v1"), (temp) => {
        writeFileSync(join(temp, "model.onnx"), "half");
        throw full;
      }),
    );
    expect((error as Error).message).toBe(
      `cannot save the model files in ${root}: no space left on the device (ENOSPC)`,
    );
    expect(existsSync(join(root, "v1"))).toBe(false);
  });
});
