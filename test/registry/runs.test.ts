import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fakeArtifact, openTempRegistry, tempDir, thrownBy } from "./fixtures.ts";

const progress = { model: "global", epoch: 1, max_epochs: 3, train_loss: 0.9, val_loss: null };

describe("training runs", () => {
  it("goes queued, running with progress, succeeded with the models it registered", () => {
    const dir = tempDir();
    const registry = openTempRegistry("always", dir);
    const queued = registry.createRun("global");
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
    expect(registry.activeRun("global")).toEqual(queued);

    expect(registry.startRun(queued.id)).toMatchObject({ status: "running", started_at: expect.any(String) });
    registry.updateRunProgress(queued.id, progress);
    expect(registry.getRun(queued.id).progress).toEqual(progress);

    const { model } = registry.register(fakeArtifact(join(dir, "artifacts"), "global", 1));
    const done = registry.finishRun(queued.id, { status: "succeeded", modelIds: [model.id] });
    expect(done).toMatchObject({ status: "succeeded", error: null, model_ids: [model.id] });
    expect(done.ended_at).not.toBeNull();
    expect(registry.activeRun("global")).toBeUndefined();
  });

  it("records a failure with its error", () => {
    const registry = openTempRegistry();
    const run = registry.createRun("per_series");
    registry.startRun(run.id);
    const failed = registry.finishRun(run.id, { status: "failed", error: "data.csv_path: no such file" });
    expect(failed).toMatchObject({ status: "failed", error: "data.csv_path: no such file", model_ids: [] });
  });

  it("allows one active run per scope: a second is a conflict naming the first", () => {
    const registry = openTempRegistry();
    const first = registry.createRun("global");
    expect(thrownBy(() => registry.createRun("global"))).toMatchObject({
      kind: "conflict",
      message: `a global training run is already queued (run ${first.id}); one at a time per scope`,
    });
    expect(registry.createRun("per_series").status).toBe("queued");
    registry.finishRun(first.id, { status: "failed", error: "cancelled" });
    expect(registry.createRun("global").status).toBe("queued");
  });

  it("refuses steps out of order and unknown ids", () => {
    const registry = openTempRegistry();
    const run = registry.createRun("global");
    expect(thrownBy(() => registry.updateRunProgress(run.id, progress))).toMatchObject({ kind: "invalid" });
    registry.startRun(run.id);
    expect(thrownBy(() => registry.startRun(run.id))).toMatchObject({
      kind: "invalid",
      message: `training run ${run.id} is running; only a queued run can start`,
    });
    expect(thrownBy(() => registry.finishRun(run.id, { status: "succeeded", modelIds: [7] }))).toMatchObject({
      kind: "not_found",
      message: `training run ${run.id} names unknown model ids 7`,
    });
    expect(registry.getRun(run.id).status).toBe("running");
    registry.finishRun(run.id, { status: "succeeded", modelIds: [] });
    expect(thrownBy(() => registry.finishRun(run.id, { status: "failed", error: "x" }))).toMatchObject({
      message: `training run ${run.id} has already succeeded`,
    });
    expect(thrownBy(() => registry.getRun("nope"))).toMatchObject({
      kind: "not_found",
      message: "no training run with id 'nope'",
    });
  });

  it("fails the runs a killed process left active, freeing their scopes", () => {
    const registry = openTempRegistry();
    const earlier = registry.createRun("global");
    registry.finishRun(earlier.id, { status: "failed", error: "bad data" });
    const running = registry.createRun("global");
    registry.startRun(running.id);
    const queued = registry.createRun("per_series");

    const interrupted = registry.failInterruptedRuns();
    expect(interrupted.map((run) => run.id).sort()).toEqual([running.id, queued.id].sort());
    for (const run of interrupted) {
      expect(run).toMatchObject({
        status: "failed",
        error: "interrupted: the process stopped before the run finished",
      });
    }
    expect(registry.getRun(earlier.id).error).toBe("bad data");
    expect(registry.createRun("global").status).toBe("queued");
  });
});
