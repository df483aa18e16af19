import { appendFileSync, cpSync, mkdirSync, statSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ModelVersion, Registry } from "../../src/registry/index.ts";
import {
  createMetrics,
  type LoadLog,
  ModelLoader,
  productionRefs,
  ServingModels,
  UnloadableModelError,
} from "../../src/server/index.ts";
import { closeAfterTest, fakeArtifact, openTempRegistry, tempDir } from "../registry/fixtures.ts";
import { eventually } from "./registry-server.ts";
import { type TrainedModels, trainTestModels } from "./trained-models.ts";

let trained: TrainedModels;
beforeAll(async () => {
  trained = await trainTestModels();
});
afterAll(() => trained.remove());

function recordingLog() {
  const lines: { level: string; message: string }[] = [];
  const log: LoadLog = {
    info: (message) => lines.push({ level: "info", message }),
    warn: (message) => lines.push({ level: "warn", message }),
    error: (message) => lines.push({ level: "error", message }),
  };
  return { log, problems: () => lines.filter((line) => line.level !== "info").map((line) => line.message) };
}

/**
 * A registry (manual promotion) in a temp folder holding copies of the trained models: `globals` copies of
 * the global one, then one of Beauty's.
 */
async function registryWithCopies(globals: number) {
  const dir = tempDir();
  const registry = await openTempRegistry("manual", dir);
  const artifacts = join(dir, "artifacts");
  mkdirSync(artifacts, { recursive: true });
  const copy = async (from: string, name: string) => {
    const folder = join(artifacts, name);
    cpSync(from, folder, { recursive: true });
    return (await registry.register({ folder })).model;
  };
  const global = [];
  for (let i = 0; i < globals; i++) global.push(await copy(trained.global, `g${i + 1}`));
  const beauty = await copy(trained.beauty, "b1");
  return { dir, registry, global, beauty };
}

const serving = (models: ServingModels) =>
  Object.fromEntries(models.list().map((model) => [model.name, model.info.version]));

describe("ModelLoader.sync", () => {
  it("serves each production version, and swaps only what changed on the next sync", async () => {
    const { registry, global, beauty } = await registryWithCopies(2);
    await registry.promote(global[0].id);
    await registry.promote(beauty.id);
    const models = new ServingModels({ microBatchMax: 8 });
    const { log, problems } = recordingLog();
    const loader = new ModelLoader(registry, models, { clipNegative: true, log });
    try {
      expect((await loader.sync()).loaded.map((ref) => ref.id)).toEqual([global[0].id, beauty.id]);
      expect(serving(models)).toEqual({ global: "v1", "series:Beauty": "v1" });
      const beautyModel = models.get("series:Beauty");
      await registry.promote(global[1].id);
      const again = await loader.sync();
      expect(again.loaded.map((ref) => ref.id)).toEqual([global[1].id]);
      expect(serving(models)).toEqual({ global: "v2", "series:Beauty": "v1" });
      expect(models.get("series:Beauty")).toBe(beautyModel);
      expect(problems()).toEqual([]);
    } finally {
      await models.close();
    }
  });

  it("serves the version before a production version that fails to load, and logs, counts and keeps why", async () => {
    const { registry, global } = await registryWithCopies(2);
    await registry.promote(global[0].id);
    await registry.promote(global[1].id);
    appendFileSync(join(global[1].folder, "model.onnx"), "x");
    const models = new ServingModels({ microBatchMax: 8 });
    const metrics = createMetrics();
    const { log, problems } = recordingLog();
    const loader = new ModelLoader(registry, models, { clipNegative: true, log, metrics });
    try {
      const report = await loader.sync();
      expect(report.failed.map(({ ref }) => ref.id)).toEqual([global[1].id]);
      expect(serving(models)).toEqual({ global: "v1" });
      expect(problems()).toEqual([
        expect.stringMatching(/^cannot load model global v2: .*does not match its checksum/),
      ]);
      expect(loader.failures()).toEqual([
        expect.objectContaining({ name: "global", version: "v2", id: global[1].id }),
      ]);
      expect(await metrics.registry.metrics()).toMatch(
        /^salescast_model_load_failures_total\{model="global"\} 1$/m,
      );
    } finally {
      await models.close();
    }
  });
});

describe("ModelLoader.promote and rollback", () => {
  it("keeps serving the version before one whose forecasts.bin is truncated, and says which file and why", async () => {
    const { registry, global } = await registryWithCopies(2);
    await registry.promote(global[0].id);
    await registry.promote(global[1].id);
    const bin = join(global[1].folder, "forecasts.bin");
    truncateSync(bin, statSync(bin).size - 8);
    const models = new ServingModels({ microBatchMax: 8 });
    const { log, problems } = recordingLog();
    const loader = new ModelLoader(registry, models, { clipNegative: true, log });
    try {
      const report = await loader.sync();
      expect(report.failed.map(({ ref }) => ref.id)).toEqual([global[1].id]);
      expect(serving(models)).toEqual({ global: "v1" });
      expect(problems()).toEqual([
        expect.stringMatching(
          /^cannot load model global v2: .*forecasts\.bin is truncated: forecasts\.json says \d+ bytes/,
        ),
      ]);
    } finally {
      await models.close();
    }
  });

  it("loads a version before committing it: one that does not load is refused and the registry is untouched", async () => {
    const { registry, global } = await registryWithCopies(2);
    await registry.promote(global[0].id);
    appendFileSync(join(global[1].folder, "model.onnx"), "x");
    const models = new ServingModels({ microBatchMax: 8 });
    const loader = new ModelLoader(registry, models, { clipNegative: true, log: recordingLog().log });
    try {
      await loader.sync();
      const refused = await loader.promote(global[1].id).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(UnloadableModelError);
      expect((refused as Error).message).toMatch(/^cannot promote global v2 \(id \d+\): it does not load: /);
      expect((await registry.get(global[1].id)).stage).toBe("candidate");
      expect((await registry.get(global[0].id)).stage).toBe("production");
      expect(serving(models)).toEqual({ global: "v1" });
    } finally {
      await models.close();
    }
  });

  it("promotes and rolls back with the new version serving once the call returns", async () => {
    const { registry, global } = await registryWithCopies(2);
    await registry.promote(global[0].id);
    const models = new ServingModels({ microBatchMax: 8 });
    const loader = new ModelLoader(registry, models, { clipNegative: true, log: recordingLog().log });
    try {
      await loader.sync();
      const promoted = await loader.promote(global[1].id);
      expect(promoted.model.id).toBe(global[1].id);
      expect(models.get("global")?.info.id).toBe(global[1].id);
      const rolledBack = await loader.rollback("global");
      expect(rolledBack.model.id).toBe(global[0].id);
      expect(models.get("global")?.info.id).toBe(global[0].id);
      expect((await registry.get(global[1].id)).stage).toBe("archived");
    } finally {
      await models.close();
    }
  });
});

describe("following the registry", () => {
  it("sees a promotion made by another connection (another process) and swaps it in", async () => {
    const { registry, global } = await registryWithCopies(2);
    await registry.promote(global[0].id);
    const other = await closeAfterTest(Registry.open({ path: registry.location, promotion: "manual" }));
    const models = new ServingModels({ microBatchMax: 8 });
    const loader = new ModelLoader(registry, models, { clipNegative: true, log: recordingLog().log });
    try {
      await loader.sync();
      loader.startFollowing(50);
      await other.promote(global[1].id);
      await eventually(
        "the promoted version to serve",
        async () => (models.get("global")?.info.id === global[1].id ? true : undefined),
        10_000,
      );
    } finally {
      await loader.stopFollowing();
      await models.close();
    }
  });

  it("does not sync while nothing changed: a poll reads data_version only", async () => {
    const { registry, global } = await registryWithCopies(1);
    await registry.promote(global[0].id);
    let listed = 0;
    const counting = {
      list: () => {
        listed++;
        return registry.list();
      },
      get: (id: number) => registry.get(id),
      artifact: (id: number) => registry.artifact(id),
      promote: (id: number) => registry.promote(id),
      rollback: (name: string) => registry.rollback(name),
      watch: registry.watch.bind(registry),
    };
    const models = new ServingModels({ microBatchMax: 8 });
    const loader = new ModelLoader(counting, models, { clipNegative: true, log: recordingLog().log });
    try {
      await loader.sync();
      loader.startFollowing(10);
      listed = 0;
      await new Promise((resolve) => setTimeout(resolve, 200)); // some 20 polls
      expect(listed).toBe(0);
    } finally {
      await loader.stopFollowing();
      await models.close();
    }
  });
});

describe("productionRefs", () => {
  it("lists each production version, then the versions that served before it", async () => {
    const dir = tempDir();
    const registry = await openTempRegistry("manual", dir);
    const artifacts = join(dir, "artifacts");
    const registered: ModelVersion[] = [];
    for (const name of ["global", "global", "global", "series:Beauty"])
      registered.push((await registry.register(fakeArtifact(artifacts, name, 1))).model);
    const [g1, g2, g3, b1] = registered;
    await registry.promote(g1.id);
    await registry.promote(g2.id);
    await registry.promote(b1.id);
    const refs = await productionRefs(registry);
    expect(refs).toEqual([
      { name: "global", version: "v2", id: g2.id, folder: g2.folder },
      { name: "global", version: "v1", id: g1.id, folder: g1.folder },
      { name: "series:Beauty", version: "v1", id: b1.id, folder: b1.folder },
    ]);
    expect(refs.map((ref) => ref.id)).not.toContain(g3.id);
  });

  it("lists nothing from an empty registry", async () => {
    expect(await productionRefs(await openTempRegistry())).toEqual([]);
  });
});
