import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { ArtifactError, type MeasuredOn } from "../../src/artifact/index.ts";
import { Registry, RegistryError } from "../../src/registry/index.ts";
import { closeAfterTest, fakeArtifact, openTempRegistry, tempDir, thrownBy } from "./fixtures.ts";

/** A registry and a function that saves a fake artifact and registers it. */
function setup(promotion: "always" | "if_better" | "manual" = "if_better") {
  const dir = tempDir();
  const registry = openTempRegistry(promotion, dir);
  const add = (name: string, mase: number | null, measuredOn?: MeasuredOn) =>
    registry.register(fakeArtifact(join(dir, "artifacts"), name, mase, measuredOn));
  return { dir, registry, add };
}

const stages = (registry: Registry) => registry.list().map((m) => `${m.name} v${m.version} ${m.stage}`);

describe("register", () => {
  it("numbers versions per name and records the artifact's metrics, config and checksum", () => {
    const { dir, registry, add } = setup("manual");
    const artifact = fakeArtifact(join(dir, "artifacts"), "global", 0.8);
    const first = registry.register(artifact);
    add("series:Beauty", 1);
    const second = add("global", 0.7);
    expect(first.model).toMatchObject({
      name: "global",
      version: 1,
      stage: "candidate",
      folder: artifact.folder,
      onnx_sha256: artifact.meta.onnx_sha256,
      created_at: artifact.meta.created_at,
      metrics: artifact.meta.validation,
      config: artifact.meta.config,
      promoted_at: null,
    });
    expect(second.model.version).toBe(2);
    expect(registry.list().map((m) => [m.name, m.version])).toEqual([
      ["global", 1],
      ["global", 2],
      ["series:Beauty", 1],
    ]);
    expect(registry.get(second.model.id)).toEqual(second.model);
  });

  it("stores folders relative to the database, so the two can move together", () => {
    const { dir, registry, add } = setup("always");
    const { model } = add("global", 1);
    registry.close();
    const moved = join(tempDir(), "moved");
    renameSync(dir, moved);
    const reopened = closeAfterTest(
      Registry.open({ path: join(moved, "registry", "salescast.db"), promotion: "always" }),
    );
    expect(reopened.get(model.id).folder).toBe(join(moved, "artifacts", basename(model.folder)));
  });

  it("writes no row for a folder that is missing, fails its checksum, is unfinished or already registered", () => {
    const { dir, registry } = setup();
    expect(() => registry.register({ folder: join(dir, "artifacts", "nothing-here") })).toThrow(
      ArtifactError,
    );

    const tampered = fakeArtifact(join(dir, "artifacts"), "global", 1);
    writeFileSync(join(tampered.folder, "model.onnx"), new Uint8Array([6, 6, 6]));
    expect(() => registry.register(tampered)).toThrow(/model\.onnx does not match its checksum/);

    const partial = join(dir, "artifacts", ".0a1b2c.partial");
    mkdirSync(partial);
    expect(() => registry.register({ folder: partial })).toThrow(/unfinished temporary folder/);
    expect(registry.list()).toEqual([]);

    const good = fakeArtifact(join(dir, "artifacts"), "global", 1);
    const { model } = registry.register(good);
    expect(thrownBy(() => registry.register(good))).toMatchObject({
      kind: "conflict",
      message: `${good.folder} is already registered as global v1 (id ${model.id})`,
    });
    expect(registry.list()).toHaveLength(1);
  });
});

describe("promotion policy on register", () => {
  it("always: each new version serves and the previous one is archived", () => {
    const { registry, add } = setup("always");
    const first = add("global", 0.5);
    const second = add("global", 0.9);
    expect(first).toMatchObject({ promoted: true, replaced: null });
    expect(second.promoted).toBe(true);
    expect(second.replaced).toMatchObject({ id: first.model.id, stage: "archived" });
    expect(second.model.previous_production_id).toBe(first.model.id);
    expect(stages(registry)).toEqual(["global v1 archived", "global v2 production"]);
  });

  it("manual: every version stays a candidate", () => {
    const { registry, add } = setup("manual");
    expect(add("global", 0.5)).toMatchObject({ promoted: false, reason: "promotion policy is manual" });
    add("global", 0.1);
    expect(stages(registry)).toEqual(["global v1 candidate", "global v2 candidate"]);
    expect(registry.production()).toEqual([]);
  });

  it("if_better: the first version serves; then only a strictly lower validation MASE replaces it", () => {
    const { registry, add } = setup("if_better");
    expect(add("global", 0.9)).toMatchObject({ promoted: true, reason: "no version was in production" });
    const worse = add("global", 1.2);
    expect(worse).toMatchObject({ promoted: false, replaced: null });
    expect(worse.reason).toBe("validation MASE 1.2000 vs production v1's 0.9000: not better");
    expect(add("global", 0.9).promoted).toBe(false); // a tie keeps the serving version
    expect(add("global", null).promoted).toBe(false); // no MASE never beats a number
    const better = add("global", 0.8);
    expect(better).toMatchObject({ promoted: true, model: { version: 5, stage: "production" } });
    expect(stages(registry)).toEqual([
      "global v1 archived",
      "global v2 candidate",
      "global v3 candidate",
      "global v4 candidate",
      "global v5 production",
    ]);
  });

  it("if_better: a version with a MASE replaces a production version without one", () => {
    const { add } = setup("if_better");
    expect(add("global", null).promoted).toBe(true);
    expect(add("global", null).promoted).toBe(false);
    expect(add("global", 3).promoted).toBe(true);
  });

  it("if_better compares only versions measured on the same series, horizon and origins, and says why not", () => {
    const { registry, add } = setup("if_better");
    const on = { horizon: 14, series_count: 3, series_sha256: "a".repeat(64), origins: 3 };
    expect(add("global", 0.9, on).promoted).toBe(true);
    const otherHorizon = add("global", 0.1, { ...on, horizon: 7 });
    expect(otherHorizon).toMatchObject({ promoted: false });
    expect(otherHorizon.reason).toBe(
      "not compared with production v1: validated over a horizon of 7, production over 14",
    );
    expect(add("global", 0.1, { ...on, series_count: 4, series_sha256: "b".repeat(64) }).reason).toBe(
      "not compared with production v1: validated on other series (4 against production's 3)",
    );
    expect(add("global", 0.1).reason).toBe(
      "not compared with production v1: only one of the two records what its validation metrics were measured on",
    );
    expect(add("global", 0.8, on)).toMatchObject({
      promoted: true,
      reason: "validation MASE 0.8000 vs production v1's 0.9000: better",
    });
    expect(registry.production().map((m) => m.version)).toEqual([5]);
  });

  it("if_better compares within a name only", () => {
    const { registry, add } = setup("if_better");
    add("series:Beauty", 0.5);
    expect(add("series:Clothing", 2).promoted).toBe(true);
    expect(registry.production().map((m) => m.name)).toEqual(["series:Beauty", "series:Clothing"]);
  });
});

describe("promote, rollback and production", () => {
  it("promote archives the serving version of that name only, and is a no-op on the serving version", () => {
    const { registry, add } = setup("manual");
    const v1 = add("global", 1).model;
    const v2 = add("global", 1).model;
    const beauty = add("series:Beauty", 1).model;
    registry.promote(beauty.id);
    expect(registry.promote(v1.id)).toMatchObject({
      model: { id: v1.id, stage: "production" },
      replaced: null,
    });
    const change = registry.promote(v2.id);
    expect(change.model).toMatchObject({ id: v2.id, stage: "production", previous_production_id: v1.id });
    expect(change.replaced).toMatchObject({ id: v1.id, stage: "archived" });
    expect(registry.promote(v2.id)).toMatchObject({ model: { id: v2.id }, replaced: null });
    expect(stages(registry)).toEqual([
      "global v1 archived",
      "global v2 production",
      "series:Beauty v1 production",
    ]);
  });

  it("keeps at most one production version per name whatever the sequence", () => {
    const { registry, add } = setup("always");
    const ids = [add("global", 1), add("global", 2), add("series:Beauty", 1), add("global", 3)].map(
      (r) => r.model.id,
    );
    for (const id of [ids[0], ids[2], ids[1], ids[0], ids[3]]) registry.promote(id);
    registry.rollback("global");
    const production = registry.list().filter((m) => m.stage === "production");
    expect(production.map((m) => m.name).sort()).toEqual(["global", "series:Beauty"]);
  });

  it("rollback walks back through what served before, then says there is nothing earlier", () => {
    const { registry, add } = setup("always");
    const [v1, v2, v3] = [add("global", 1), add("global", 1), add("global", 1)].map((r) => r.model);
    const first = registry.rollback("global");
    expect(first.model).toMatchObject({ id: v2.id, stage: "production" });
    expect(first.replaced).toMatchObject({ id: v3.id, stage: "archived" });
    expect(registry.rollback("global").model.id).toBe(v1.id);
    expect(() => registry.rollback("global")).toThrow(
      "model 'global' has no earlier production version to roll back to (v1 was the first)",
    );
    expect(registry.production()).toEqual([{ id: v1.id, name: "global", version: 1, folder: v1.folder }]);
  });

  it("rollback after a manual promotion of an old version goes back to the version it replaced", () => {
    const { registry, add } = setup("always");
    const [v1, , v3] = [add("global", 1), add("global", 1), add("global", 1)].map((r) => r.model);
    registry.promote(v1.id);
    expect(registry.rollback("global").model.id).toBe(v3.id);
  });

  it("names the model or id that does not exist", () => {
    const { registry, add } = setup("manual");
    add("global", 1);
    const notFound = (message: string) => expect.objectContaining({ kind: "not_found", message });
    expect(thrownBy(() => registry.get(42))).toEqual(notFound("no model with id 42"));
    expect(thrownBy(() => registry.get(42))).toBeInstanceOf(RegistryError);
    expect(thrownBy(() => registry.promote(42))).toEqual(notFound("no model with id 42"));
    expect(thrownBy(() => registry.rollback("series:Toys"))).toEqual(
      notFound("no model named 'series:Toys' (known: global)"),
    );
    expect(thrownBy(() => registry.rollback("global"))).toMatchObject({
      kind: "invalid",
      message: "model 'global' has no production version to roll back from",
    });
  });

  it("production() lists the serving version of each name, for a server to load", () => {
    const { registry, add } = setup("if_better");
    add("global", 1);
    const global = add("global", 0.5).model;
    const beauty = add("series:Beauty", 2).model;
    add("series:Beauty", 3);
    expect(registry.production()).toEqual([
      { id: global.id, name: "global", version: 2, folder: global.folder },
      { id: beauty.id, name: "series:Beauty", version: 1, folder: beauty.folder },
    ]);
  });
});
