import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  artifactDirectorySource,
  createMetrics,
  type LoadLog,
  loadModels,
  type ModelSource,
  registrySource,
  ServingModels,
} from "../../src/server/index.ts";
import { fakeArtifact, openTempRegistry, tempDir } from "../registry/fixtures.ts";
import { type TrainedModels, trainTestModels } from "./trained-models.ts";

let trained: TrainedModels;
beforeAll(async () => {
  trained = await trainTestModels();
});
afterAll(() => trained.remove());

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A fresh artifacts folder holding copies of trained models under the given folder names. */
function artifactsRoot(copies: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "salescast-load-"));
  roots.push(root);
  for (const [name, from] of Object.entries(copies)) cpSync(from, join(root, name), { recursive: true });
  return root;
}

function recordingLog() {
  const lines: { level: string; message: string }[] = [];
  const log: LoadLog = {
    info: (message) => lines.push({ level: "info", message }),
    warn: (message) => lines.push({ level: "warn", message }),
    error: (message) => lines.push({ level: "error", message }),
  };
  return {
    log,
    lines,
    warnings: () => lines.filter((line) => line.level !== "info").map((line) => line.message),
  };
}

async function loadFrom(source: ModelSource, log: LoadLog) {
  const models = new ServingModels({ microBatchMax: 8 });
  const report = await loadModels(source, models, { clipNegative: true, log });
  return { models, report };
}

describe("loading the models from the artifacts folder", () => {
  it("serves the newest version of each model name, versioned by folder name", async () => {
    const root = artifactsRoot({
      "20240101T000000000Z-00000001": trained.global,
      "20240301T000000000Z-00000003": trained.global,
      "20240201T000000000Z-00000002": trained.global,
      "20240101T000000000Z-0000000b": trained.beauty,
    });
    const { log, warnings } = recordingLog();
    const { models, report } = await loadFrom(artifactDirectorySource(root, log), log);
    try {
      const versions = Object.fromEntries(models.list().map((model) => [model.name, model.info.version]));
      expect(versions).toEqual({
        global: "20240301T000000000Z-00000003",
        "series:Beauty": "20240101T000000000Z-0000000b",
      });
      expect(report.loaded.map((ref) => ref.folder)).toEqual([
        join(root, "20240301T000000000Z-00000003"),
        join(root, "20240101T000000000Z-0000000b"),
      ]);
      expect(warnings()).toEqual([]);
    } finally {
      await models.close();
    }
  });

  it("skips a newest version that fails to load, says why, and serves the one before it", async () => {
    const root = artifactsRoot({
      "20240101T000000000Z-00000001": trained.global,
      "20240201T000000000Z-00000002": trained.global,
    });
    const corrupt = join(root, "20240201T000000000Z-00000002", "model.onnx");
    appendFileSync(corrupt, "x");
    const { log, warnings } = recordingLog();
    const { models, report } = await loadFrom(artifactDirectorySource(root, log), log);
    try {
      expect(models.list().map((model) => model.info.version)).toEqual(["20240101T000000000Z-00000001"]);
      expect(report.failed).toHaveLength(1);
      expect(warnings()).toEqual([
        expect.stringMatching(
          new RegExp(
            `^cannot load model global version 20240201T000000000Z-00000002: ${corrupt} does not match its checksum`,
          ),
        ),
      ]);
    } finally {
      await models.close();
    }
  });

  it("skips a folder whose meta.json is unreadable, with a warning naming it", async () => {
    const root = artifactsRoot({ a: trained.global, b: trained.beauty });
    writeFileSync(join(root, "a", "meta.json"), "{not json");
    const { log, warnings } = recordingLog();
    const { models } = await loadFrom(artifactDirectorySource(root, log), log);
    try {
      expect(models.list().map((model) => model.name)).toEqual(["series:Beauty"]);
      expect(warnings()).toEqual([expect.stringMatching(new RegExp(`^skipping ${join(root, "a")}: `))]);
    } finally {
      await models.close();
    }
  });

  it("loads nothing, without failing, from a missing or empty folder", async () => {
    const { log, warnings } = recordingLog();
    for (const root of [join(tmpdir(), "salescast-no-such-folder"), artifactsRoot({})]) {
      const { models, report } = await loadFrom(artifactDirectorySource(root, log), log);
      expect(models.size).toBe(0);
      expect(report).toEqual({ loaded: [], failed: [] });
    }
    expect(warnings()).toEqual([]);
  });
});

describe("loadModels with any source", () => {
  it("refuses a ref whose folder holds another model", async () => {
    const { log, warnings } = recordingLog();
    const source: ModelSource = async () => [{ name: "global", version: "7", folder: trained.beauty }];
    const { models, report } = await loadFrom(source, log);
    expect(models.size).toBe(0);
    expect(report.failed.map((failure) => failure.reason)).toEqual([
      "the folder holds model 'series:Beauty', not 'global'",
    ]);
    expect(warnings()).toHaveLength(1);
  });

  it("keeps the serving models when the source itself fails", async () => {
    const { log, lines } = recordingLog();
    const models = new ServingModels({ microBatchMax: 8 });
    await loadModels(async () => [{ name: "global", version: "1", folder: trained.global }], models, {
      clipNegative: true,
      log,
    });
    const report = await loadModels(() => Promise.reject(new Error("registry is locked")), models, {
      clipNegative: true,
      log,
    });
    try {
      expect(report).toEqual({ loaded: [], failed: [] });
      expect(models.list().map((model) => model.info.version)).toEqual(["1"]);
      expect(lines.at(-1)).toEqual({
        level: "error",
        message: "cannot list the models to serve: registry is locked",
      });
    } finally {
      await models.close();
    }
  });

  it("replaces a serving model with the version a later load offers", async () => {
    const { log } = recordingLog();
    const models = new ServingModels({ microBatchMax: 8 });
    const offer =
      (version: string): ModelSource =>
      async () => [{ name: "global", version, folder: trained.global }];
    await loadModels(offer("1"), models, { clipNegative: true, log });
    await loadModels(offer("2"), models, { clipNegative: true, log });
    try {
      expect(models.list().map((model) => [model.name, model.info.version])).toEqual([["global", "2"]]);
      expect(basename(trained.global)).not.toBe("2");
    } finally {
      await models.close();
    }
  });
});

describe("loading again from the same source", () => {
  it("keeps a version that already serves as it is, and swaps only what changed", async () => {
    const { log } = recordingLog();
    const models = new ServingModels({ microBatchMax: 8 });
    const offer =
      (globalVersion: string): ModelSource =>
      async () => [
        { name: "global", version: globalVersion, folder: trained.global, id: 1 },
        { name: "series:Beauty", version: "1", folder: trained.beauty, id: 2 },
      ];
    try {
      expect((await loadModels(offer("1"), models, { clipNegative: true, log })).loaded).toHaveLength(2);
      const [global, beauty] = [models.get("global"), models.get("series:Beauty")];
      expect(global?.info).toMatchObject({ version: "1", id: 1 });

      const same = await loadModels(offer("1"), models, { clipNegative: true, log });
      expect(same).toEqual({ loaded: [], failed: [] });
      expect(models.get("global")).toBe(global);
      expect(models.get("series:Beauty")).toBe(beauty);

      const changed = await loadModels(offer("2"), models, { clipNegative: true, log });
      expect(changed.loaded.map((ref) => ref.version)).toEqual(["2"]);
      expect(models.get("global")).not.toBe(global);
      expect(models.get("series:Beauty")).toBe(beauty);
    } finally {
      await models.close();
    }
  });

  it("counts each ref that fails to load, by model name", async () => {
    const { log } = recordingLog();
    const metrics = createMetrics();
    const root = artifactsRoot({ broken: trained.global });
    appendFileSync(join(root, "broken", "model.onnx"), "x");
    const source: ModelSource = async () => [
      { name: "global", version: "2", folder: join(root, "broken") },
      { name: "global", version: "1", folder: trained.global },
    ];
    const models = new ServingModels({ microBatchMax: 8 });
    try {
      const report = await loadModels(source, models, { clipNegative: true, log, metrics });
      expect(report.loaded.map((ref) => ref.version)).toEqual(["1"]);
      const text = await metrics.registry.metrics();
      expect(text).toMatch(/^salescast_model_load_failures_total\{model="global"\} 1$/m);
    } finally {
      await models.close();
    }
  });
});

describe("registrySource", () => {
  it("offers each production version, then the versions that served before it", () => {
    const dir = tempDir();
    const registry = openTempRegistry("manual", dir);
    const artifacts = join(dir, "artifacts");
    const [g1, g2, g3, b1] = [
      fakeArtifact(artifacts, "global", 1),
      fakeArtifact(artifacts, "global", 1),
      fakeArtifact(artifacts, "global", 1),
      fakeArtifact(artifacts, "series:Beauty", 1),
    ].map((artifact) => registry.register(artifact).model);
    registry.promote(g1.id);
    registry.promote(g2.id);
    registry.promote(b1.id);
    return registrySource(registry)().then((refs) => {
      expect(refs).toEqual([
        { name: "global", version: "v2", id: g2.id, folder: g2.folder },
        { name: "global", version: "v1", id: g1.id, folder: g1.folder },
        { name: "series:Beauty", version: "v1", id: b1.id, folder: b1.folder },
      ]);
      // the candidate g3 is never offered
      expect(refs.map((ref) => ref.id)).not.toContain(g3.id);
    });
  });

  it("offers nothing from an empty registry", async () => {
    expect(await registrySource(openTempRegistry())()).toEqual([]);
  });
});
