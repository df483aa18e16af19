import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ArtifactError, type MeasuredOn, readArtifact } from "../../src/artifact/index.ts";
import { type PromotionPolicy, type Registry, RegistryError } from "../../src/registry/index.ts";
import { fakeArtifact, rejectionOf } from "./fixtures.ts";

/**
 * A fresh, empty registry with the given policy, a folder to save artifacts in, and `reopen`: another
 * registry on the same store (another connection, as another process has); all closed after the test.
 */
export type OpenEmptyRegistry = (
  promotion: PromotionPolicy,
) => Promise<{ registry: Registry; dir: string; reopen: () => Promise<Registry> }>;

const progress = { model: "global", epoch: 1, max_epochs: 3, train_loss: 0.9, val_loss: null };

const stages = async (registry: Registry) =>
  (await registry.list()).map((m) => `${m.name} v${m.version} ${m.stage}`);

/**
 * What every registry backend must do the same: numbering, promotion policy, promote and rollback with
 * one production version per name, refusals naming what is wrong, training runs. Run once per backend.
 */
export function describeRegistryContract(backend: string, openEmpty: OpenEmptyRegistry): void {
  /** A registry and a function that saves a fake artifact and registers it. */
  async function setup(promotion: PromotionPolicy = "if_better") {
    const { registry, dir, reopen } = await openEmpty(promotion);
    const add = (name: string, mase: number | null, measuredOn?: MeasuredOn) =>
      registry.register(fakeArtifact(join(dir, "artifacts"), name, mase, measuredOn));
    return { dir, registry, add, reopen };
  }

  const open = async (promotion: PromotionPolicy) => (await openEmpty(promotion)).registry;

  describe(`registry contract on ${backend}`, () => {
    describe("register", () => {
      it("numbers versions per name and records the artifact's metrics, config and checksum", async () => {
        const { dir, registry, add } = await setup("manual");
        const artifact = fakeArtifact(join(dir, "artifacts"), "global", 0.8);
        const first = await registry.register(artifact);
        await add("series:Beauty", 1);
        const second = await add("global", 0.7);
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
        expect((await registry.list()).map((m) => [m.name, m.version])).toEqual([
          ["global", 1],
          ["global", 2],
          ["series:Beauty", 1],
        ]);
        expect(await registry.get(second.model.id)).toEqual(second.model);
      });

      it("writes no row for a folder that is missing, fails its checksum, is unfinished or already registered", async () => {
        const { dir, registry } = await setup();
        await expect(registry.register({ folder: join(dir, "artifacts", "nothing-here") })).rejects.toThrow(
          ArtifactError,
        );

        const tampered = fakeArtifact(join(dir, "artifacts"), "global", 1);
        writeFileSync(join(tampered.folder, "model.onnx"), new Uint8Array([6, 6, 6]));
        await expect(registry.register(tampered)).rejects.toThrow(/model\.onnx does not match its checksum/);

        const partial = join(dir, "artifacts", ".0a1b2c.partial");
        mkdirSync(partial);
        await expect(registry.register({ folder: partial })).rejects.toThrow(/unfinished temporary folder/);
        expect(await registry.list()).toEqual([]);

        const good = fakeArtifact(join(dir, "artifacts"), "global", 1);
        const { model } = await registry.register(good);
        expect(await rejectionOf(registry.register(good))).toMatchObject({
          kind: "conflict",
          message: `${good.folder} is already registered as global v1 (id ${model.id})`,
        });
        expect(await registry.list()).toHaveLength(1);
      });
    });

    describe("promotion policy on register", () => {
      it("always: each new version serves and the previous one is archived", async () => {
        const { registry, add } = await setup("always");
        const first = await add("global", 0.5);
        const second = await add("global", 0.9);
        expect(first).toMatchObject({ promoted: true, replaced: null });
        expect(second.promoted).toBe(true);
        expect(second.replaced).toMatchObject({ id: first.model.id, stage: "archived" });
        expect(second.model.previous_production_id).toBe(first.model.id);
        expect(await stages(registry)).toEqual(["global v1 archived", "global v2 production"]);
      });

      it("manual: every version stays a candidate", async () => {
        const { registry, add } = await setup("manual");
        expect(await add("global", 0.5)).toMatchObject({
          promoted: false,
          reason: "promotion policy is manual",
        });
        await add("global", 0.1);
        expect(await stages(registry)).toEqual(["global v1 candidate", "global v2 candidate"]);
        expect(await registry.production()).toEqual([]);
      });

      it("if_better: the first version serves; then only a strictly lower validation MASE replaces it", async () => {
        const { registry, add } = await setup("if_better");
        expect(await add("global", 0.9)).toMatchObject({
          promoted: true,
          reason: "no version was in production",
        });
        const worse = await add("global", 1.2);
        expect(worse).toMatchObject({ promoted: false, replaced: null });
        expect(worse.reason).toBe("validation MASE 1.2000 vs production v1's 0.9000: not better");
        expect((await add("global", 0.9)).promoted).toBe(false); // a tie keeps the serving version
        expect((await add("global", null)).promoted).toBe(false); // no MASE never beats a number
        const better = await add("global", 0.8);
        expect(better).toMatchObject({ promoted: true, model: { version: 5, stage: "production" } });
        expect(await stages(registry)).toEqual([
          "global v1 archived",
          "global v2 candidate",
          "global v3 candidate",
          "global v4 candidate",
          "global v5 production",
        ]);
      });

      it("if_better: a version with a MASE replaces a production version without one", async () => {
        const { add } = await setup("if_better");
        expect((await add("global", null)).promoted).toBe(true);
        expect((await add("global", null)).promoted).toBe(false);
        expect((await add("global", 3)).promoted).toBe(true);
      });

      it("if_better compares only versions measured on the same series, horizon and origins, and says why not", async () => {
        const { registry, add } = await setup("if_better");
        const on = { horizon: 14, series_count: 3, series_sha256: "a".repeat(64), origins: 3 };
        expect((await add("global", 0.9, on)).promoted).toBe(true);
        const otherHorizon = await add("global", 0.1, { ...on, horizon: 7 });
        expect(otherHorizon).toMatchObject({ promoted: false });
        expect(otherHorizon.reason).toBe(
          "not compared with production v1: validated over a horizon of 7, production over 14",
        );
        expect(
          (await add("global", 0.1, { ...on, series_count: 4, series_sha256: "b".repeat(64) })).reason,
        ).toBe("not compared with production v1: validated on other series (4 against production's 3)");
        expect((await add("global", 0.1)).reason).toBe(
          "not compared with production v1: only one of the two records what its validation metrics were measured on",
        );
        expect(await add("global", 0.8, on)).toMatchObject({
          promoted: true,
          reason: "validation MASE 0.8000 vs production v1's 0.9000: better",
        });
        expect((await registry.production()).map((m) => m.version)).toEqual([5]);
      });

      it("if_better compares within a name only", async () => {
        const { registry, add } = await setup("if_better");
        await add("series:Beauty", 0.5);
        expect((await add("series:Clothing", 2)).promoted).toBe(true);
        expect((await registry.production()).map((m) => m.name)).toEqual([
          "series:Beauty",
          "series:Clothing",
        ]);
      });
    });

    describe("promote, rollback and production", () => {
      it("promote archives the serving version of that name only, and is a no-op on the serving version", async () => {
        const { registry, add } = await setup("manual");
        const v1 = (await add("global", 1)).model;
        const v2 = (await add("global", 1)).model;
        const beauty = (await add("series:Beauty", 1)).model;
        await registry.promote(beauty.id);
        expect(await registry.promote(v1.id)).toMatchObject({
          model: { id: v1.id, stage: "production" },
          replaced: null,
        });
        const change = await registry.promote(v2.id);
        expect(change.model).toMatchObject({ id: v2.id, stage: "production", previous_production_id: v1.id });
        expect(change.replaced).toMatchObject({ id: v1.id, stage: "archived" });
        expect(await registry.promote(v2.id)).toMatchObject({ model: { id: v2.id }, replaced: null });
        expect(await stages(registry)).toEqual([
          "global v1 archived",
          "global v2 production",
          "series:Beauty v1 production",
        ]);
      });

      it("keeps at most one production version per name whatever the sequence", async () => {
        const { registry, add } = await setup("always");
        const ids = [
          await add("global", 1),
          await add("global", 2),
          await add("series:Beauty", 1),
          await add("global", 3),
        ].map((r) => r.model.id);
        for (const id of [ids[0], ids[2], ids[1], ids[0], ids[3]]) await registry.promote(id);
        await registry.rollback("global");
        const production = (await registry.list()).filter((m) => m.stage === "production");
        expect(production.map((m) => m.name).sort()).toEqual(["global", "series:Beauty"]);
      });

      it("rollback walks back through what served before, then says there is nothing earlier", async () => {
        const { registry, add } = await setup("always");
        const [v1, v2, v3] = [await add("global", 1), await add("global", 1), await add("global", 1)].map(
          (r) => r.model,
        );
        const first = await registry.rollback("global");
        expect(first.model).toMatchObject({ id: v2.id, stage: "production" });
        expect(first.replaced).toMatchObject({ id: v3.id, stage: "archived" });
        expect((await registry.rollback("global")).model.id).toBe(v1.id);
        await expect(registry.rollback("global")).rejects.toThrow(
          "model 'global' has no earlier production version to roll back to (v1 was the first)",
        );
        expect(await registry.production()).toEqual([
          { id: v1.id, name: "global", version: 1, folder: v1.folder },
        ]);
      });

      it("rollback after a manual promotion of an old version goes back to the version it replaced", async () => {
        const { registry, add } = await setup("always");
        const [v1, , v3] = [await add("global", 1), await add("global", 1), await add("global", 1)].map(
          (r) => r.model,
        );
        await registry.promote(v1.id);
        expect((await registry.rollback("global")).model.id).toBe(v3.id);
      });

      it("names the model or id that does not exist", async () => {
        const { registry, add } = await setup("manual");
        await add("global", 1);
        const notFound = (message: string) => expect.objectContaining({ kind: "not_found", message });
        expect(await rejectionOf(registry.get(42))).toEqual(notFound("no model with id 42"));
        expect(await rejectionOf(registry.get(42))).toBeInstanceOf(RegistryError);
        expect(await rejectionOf(registry.promote(42))).toEqual(notFound("no model with id 42"));
        expect(await rejectionOf(registry.rollback("series:Toys"))).toEqual(
          notFound("no model named 'series:Toys' (known: global)"),
        );
        expect(await rejectionOf(registry.rollback("global"))).toMatchObject({
          kind: "invalid",
          message: "model 'global' has no production version to roll back from",
        });
      });

      it("production() lists the serving version of each name, for a server to load", async () => {
        const { registry, add } = await setup("if_better");
        await add("global", 1);
        const global = (await add("global", 0.5)).model;
        const beauty = (await add("series:Beauty", 2)).model;
        await add("series:Beauty", 3);
        expect(await registry.production()).toEqual([
          { id: global.id, name: "global", version: 2, folder: global.folder },
          { id: beauty.id, name: "series:Beauty", version: 1, folder: beauty.folder },
        ]);
      });
    });

    describe("training runs", () => {
      it("goes queued, running with progress, succeeded with the models it registered", async () => {
        const { registry, dir } = await openEmpty("always");
        const queued = await registry.createRun("global");
        expect(queued).toMatchObject({
          scope: "global",
          status: "queued",
          progress: null,
          started_at: null,
          ended_at: null,
          error: null,
          model_ids: [],
        });
        expect(queued.id).toMatch(/^[0-9a-f-]{36}$/);
        expect(await registry.activeRun("global")).toEqual(queued);

        expect(await registry.startRun(queued.id)).toMatchObject({
          status: "running",
          started_at: expect.any(String),
        });
        await registry.updateRunProgress(queued.id, progress);
        expect((await registry.getRun(queued.id)).progress).toEqual(progress);

        const { model } = await registry.register(fakeArtifact(join(dir, "artifacts"), "global", 1));
        const done = await registry.finishRun(queued.id, { status: "succeeded", modelIds: [model.id] });
        expect(done).toMatchObject({ status: "succeeded", error: null, model_ids: [model.id] });
        expect(done.ended_at).not.toBeNull();
        expect(await registry.activeRun("global")).toBeUndefined();
      });

      it("records a failure with its error", async () => {
        const registry = await open("if_better");
        const run = await registry.createRun("per_series");
        await registry.startRun(run.id);
        const failed = await registry.finishRun(run.id, {
          status: "failed",
          error: "data.csv_path: no such file",
        });
        expect(failed).toMatchObject({
          status: "failed",
          error: "data.csv_path: no such file",
          model_ids: [],
        });
      });

      it("allows one active run per scope: a second is a conflict naming the first", async () => {
        const registry = await open("if_better");
        const first = await registry.createRun("global");
        expect(await rejectionOf(registry.createRun("global"))).toMatchObject({
          kind: "conflict",
          message: `a global training run is already queued (run ${first.id}); one at a time per scope`,
        });
        expect((await registry.createRun("per_series")).status).toBe("queued");
        await registry.finishRun(first.id, { status: "failed", error: "cancelled" });
        expect((await registry.createRun("global")).status).toBe("queued");
      });

      it("refuses steps out of order and unknown ids", async () => {
        const registry = await open("if_better");
        const run = await registry.createRun("global");
        expect(await rejectionOf(registry.updateRunProgress(run.id, progress))).toMatchObject({
          kind: "invalid",
        });
        await registry.startRun(run.id);
        expect(await rejectionOf(registry.startRun(run.id))).toMatchObject({
          kind: "invalid",
          message: `training run ${run.id} is running; only a queued run can start`,
        });
        expect(
          await rejectionOf(registry.finishRun(run.id, { status: "succeeded", modelIds: [7] })),
        ).toMatchObject({
          kind: "not_found",
          message: `training run ${run.id} names unknown model ids 7`,
        });
        expect((await registry.getRun(run.id)).status).toBe("running");
        await registry.finishRun(run.id, { status: "succeeded", modelIds: [] });
        expect(await rejectionOf(registry.finishRun(run.id, { status: "failed", error: "x" }))).toMatchObject(
          {
            message: `training run ${run.id} has already succeeded`,
          },
        );
        expect(await rejectionOf(registry.getRun("nope"))).toMatchObject({
          kind: "not_found",
          message: "no training run with id 'nope'",
        });
      });

      it("fails the runs a killed process left active, freeing their scopes", async () => {
        const registry = await open("if_better");
        const earlier = await registry.createRun("global");
        await registry.finishRun(earlier.id, { status: "failed", error: "bad data" });
        const running = await registry.createRun("global");
        await registry.startRun(running.id);
        const queued = await registry.createRun("per_series");

        const interrupted = await registry.failInterruptedRuns();
        expect(interrupted.map((run) => run.id).sort()).toEqual([running.id, queued.id].sort());
        for (const run of interrupted) {
          expect(run).toMatchObject({
            status: "failed",
            error: "interrupted: the process stopped before the run finished",
          });
        }
        expect((await registry.getRun(earlier.id)).error).toBe("bad data");
        expect((await registry.createRun("global")).status).toBe("queued");
      });

      it("with startedBefore, fails only the runs started or queued before it", async () => {
        const registry = await open("if_better");
        const running = await registry.createRun("global");
        await registry.startRun(running.id);
        const queued = await registry.createRun("per_series");
        const anHourAgo = new Date(Date.now() - 3_600_000);
        expect(await registry.failInterruptedRuns({ startedBefore: anHourAgo })).toEqual([]);
        expect((await registry.getRun(running.id)).status).toBe("running");
        const later = new Date(Date.now() + 1000);
        const failed = await registry.failInterruptedRuns({ startedBefore: later });
        expect(failed.map((run) => run.id).sort()).toEqual([running.id, queued.id].sort());
      });
    });

    describe("model files and other connections", () => {
      it("hands back a registered version's files as saved: ONNX bytes, normalization, meta, forecasts", async () => {
        const { registry, add } = await setup("always");
        const { model } = await add("global", 1);
        const saved = readArtifact(model.folder);
        const stored = await registry.artifact(model.id);
        expect(Buffer.from(stored.onnx).equals(Buffer.from(saved.onnx))).toBe(true);
        expect(stored.normalization).toEqual(saved.normalization);
        expect(stored.meta).toEqual(saved.meta);
        expect(stored.forecasts).toEqual({
          horizon: 1,
          series: {
            Beauty: {
              dates: ["2024-01-15"],
              values: [12],
              members: { linear: [12] },
              weights: { linear: 1 },
            },
          },
        });
        expect(await rejectionOf(registry.artifact(999))).toMatchObject({ message: "no model with id 999" });
      });

      it("keeps one production version per name when two connections promote at once", async () => {
        const { registry, add, reopen } = await setup("manual");
        const other = await reopen();
        const ids = [];
        for (let i = 0; i < 6; i++) ids.push((await add("global", 1)).model.id);
        await Promise.all(ids.map((id, i) => (i % 2 === 0 ? registry : other).promote(id)));
        const production = (await other.list()).filter((m) => m.stage === "production");
        expect(production).toHaveLength(1);
        // each promotion archived the one before it: the chain back from production covers every id
        const byId = new Map((await registry.list()).map((m) => [m.id, m]));
        const chain: number[] = [];
        for (let m = production[0]; ; ) {
          chain.push(m.id);
          const previous = m.previous_production_id === null ? undefined : byId.get(m.previous_production_id);
          if (previous === undefined) break;
          m = previous;
        }
        expect(chain.sort((a, b) => a - b)).toEqual(ids);
      });

      it("tells a watcher on another connection about a promotion and a rollback", async () => {
        const { registry, add, reopen } = await setup("manual");
        const [v1, v2] = [(await add("global", 1)).model, (await add("global", 1)).model];
        const other = await reopen();
        let heard = 0;
        const unwatch = other.watch(() => heard++, {
          pollMs: 20,
          onError: (error) => expect.fail(error.message),
        });
        try {
          await new Promise((resolve) => setTimeout(resolve, 300)); // the watch is listening
          await registry.promote(v1.id);
          await expect.poll(() => heard, { timeout: 5000 }).toBeGreaterThanOrEqual(1);
          const afterFirst = heard;
          await registry.promote(v2.id);
          await registry.rollback("global");
          await expect.poll(() => heard, { timeout: 5000 }).toBeGreaterThan(afterFirst);
        } finally {
          await unwatch();
        }
        expect((await other.production()).map((m) => m.id)).toEqual([v1.id]);
      });

      it("answers a ping and sees what another connection registered", async () => {
        const { add, reopen } = await setup("always");
        const other = await reopen();
        await other.ping();
        const { model } = await add("series:Beauty", 1);
        expect(await other.get(model.id)).toEqual(model);
      });
    });
  });
}
