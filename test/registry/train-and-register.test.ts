import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SalesForecaster } from "../../src/forecast/index.ts";
import { type RunProgress, removeStalePartials } from "../../src/registry/index.ts";
import { silentProgress } from "../../src/train/index.ts";
import { executeRun, trainAndRegister } from "../../src/train/register.ts";
import { openTempRegistry, tempDir } from "./fixtures.ts";
import { smallTrainingConfig } from "./training-config.ts";

const window = Array.from({ length: 14 }, (_, i) => 100 + 10 * i);

async function predictWith(folder: string, seriesId?: string): Promise<number> {
  const forecaster = await SalesForecaster.load(folder);
  try {
    return (await forecaster.predict(window, seriesId)).predicted_sales;
  } finally {
    await forecaster.close();
  }
}

describe("trainAndRegister", () => {
  it("registers a trained global model that loads and predicts, and a second training as version 2", async () => {
    const dir = tempDir();
    const registry = await openTempRegistry("if_better", dir);
    const config = smallTrainingConfig(dir);
    const first = await trainAndRegister(config, { registry, progress: silentProgress });
    expect(first.warnings).toEqual([]);
    expect(first.models).toHaveLength(1);
    expect(first.models[0].registration).toMatchObject({
      promoted: true,
      model: { name: "global", version: 1, stage: "production", folder: first.models[0].artifact.folder },
    });
    const [serving] = await registry.production();
    expect(Number.isFinite(await predictWith(serving.folder))).toBe(true);

    const second = await trainAndRegister(config, { registry, progress: silentProgress });
    const { model, promoted } = second.models[0].registration;
    expect(model.version).toBe(2);
    // Same seed and data: the same validation MASE, and a tie keeps version 1 serving.
    expect(model.metrics.model.mase).toBe((await registry.get(serving.id)).metrics.model.mase);
    expect(promoted).toBe(false);
    expect(await registry.production()).toEqual([serving]);
  });

  it("registers one model per series, each predicting for its series", async () => {
    const dir = tempDir();
    const registry = await openTempRegistry("always", dir);
    const config = smallTrainingConfig(dir, ["train.scope=per_series"]);
    const result = await trainAndRegister(config, { registry, progress: silentProgress });
    const names = result.models.map(({ registration }) => registration.model.name);
    expect(names).toEqual(["series:Beauty", "series:Clothing", "series:Electronics"]);
    for (const served of await registry.production()) {
      const prediction = await predictWith(served.folder, served.name.slice("series:".length));
      expect(Number.isFinite(prediction)).toBe(true);
    }
  });

  it("names the series skipped for too little history and registers the others", async () => {
    const dir = tempDir();
    const day = (i: number) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10);
    const rows = [
      ...Array.from({ length: 80 }, (_, i) => `Long,${day(i)},${50 + (i % 7) * 5}`),
      ...Array.from({ length: 5 }, (_, i) => `Short,${day(i)},${10 + i}`),
    ];
    const csv = join(dir, "sales.csv");
    writeFileSync(csv, `series_id,date,value\n${rows.join("\n")}\n`);
    const registry = await openTempRegistry("always", dir);
    const config = smallTrainingConfig(dir, [
      `data.csv_path=${JSON.stringify(csv)}`,
      "data.format=long",
      "train.scope=per_series",
    ]);
    const result = await trainAndRegister(config, { registry, progress: silentProgress });
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/series "Short" has 5 periods.*skipped/);
    expect((await registry.list()).map((m) => m.name)).toEqual(["series:Long"]);
  });

  it("writes no row when the artifact cannot be saved", async () => {
    const dir = tempDir();
    const notAFolder = join(dir, "artifacts-is-a-file");
    writeFileSync(notAFolder, "");
    const registry = await openTempRegistry("always", dir);
    const config = smallTrainingConfig(dir, [`paths.artifacts=${JSON.stringify(notAFolder)}`]);
    await expect(trainAndRegister(config, { registry, progress: silentProgress })).rejects.toThrow(
      /artifacts-is-a-file/,
    );
    expect(await registry.list()).toEqual([]);
  });
});

describe("executeRun", () => {
  it("reports progress per epoch and finishes with the registered models", async () => {
    const dir = tempDir();
    const registry = await openTempRegistry("always", dir);
    const config = smallTrainingConfig(dir, ["train.max_epochs=2", "train.patience=5"]);
    const run = await registry.createRun("global");
    const reports: RunProgress[] = [];
    const result = await executeRun(config, registry, run.id, (progress) => reports.push(progress));
    const finished = await registry.getRun(run.id);
    expect(finished).toMatchObject({
      status: "succeeded",
      error: null,
      model_ids: [result.models[0].registration.model.id],
    });
    expect(reports.at(-1)).toMatchObject({ model: "global network_on_linear", epoch: 2, max_epochs: 2 });
    expect(reports.at(-1)?.train_loss).toEqual(expect.any(Number));
  });

  it("finishes a run as failed with the error, and rethrows it", async () => {
    const dir = tempDir();
    const registry = await openTempRegistry("always", dir);
    const missing = join(dir, "missing.csv");
    const config = smallTrainingConfig(dir, [`data.csv_path=${JSON.stringify(missing)}`]);
    const run = await registry.createRun("global");
    await expect(executeRun(config, registry, run.id, () => {})).rejects.toThrow(/missing\.csv/);
    const failed = await registry.getRun(run.id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/missing\.csv/);
    expect(await registry.activeRun("global")).toBeUndefined();
  });

  it("fails a run whose scope differs from the config's", async () => {
    const dir = tempDir();
    const registry = await openTempRegistry("always", dir);
    const run = await registry.createRun("per_series");
    await expect(executeRun(smallTrainingConfig(dir), registry, run.id, () => {})).rejects.toThrow(
      `training run ${run.id} is for scope per_series but the config trains global`,
    );
    expect((await registry.getRun(run.id)).status).toBe("failed");
  });
});

describe("removeStalePartials", () => {
  it("removes old partial folders only, keeping young ones and finished artifacts", async () => {
    const root = tempDir();
    const old = join(root, ".00aa11bb22cc.partial");
    const young = join(root, ".33dd44ee55ff.partial");
    const finished = join(root, "20240101T000000000Z-0a0b0c0d");
    for (const folder of [old, young, finished]) mkdirSync(folder);
    writeFileSync(join(old, "model.onnx"), "half");
    const hourAgo = new Date(Date.now() - 60 * 60 * 1000);
    utimesSync(old, hourAgo, hourAgo);
    utimesSync(finished, hourAgo, hourAgo);
    expect(removeStalePartials(root)).toEqual([old]);
    expect(removeStalePartials(root, 0, Date.now() + 1000)).toEqual([young]);
    expect(removeStalePartials(join(root, "absent"))).toEqual([]);
  });
});
