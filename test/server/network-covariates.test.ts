import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { buildApp, type SalescastApp } from "../../src/server/index.ts";
import { silentProgress, type TrainRunResult, trainFromConfig } from "../../src/train/index.ts";
import { expectPromotionLift, promoLift, promoOverrides, writePromoData } from "./promo-data.ts";
import { CONFIG_FILE, serveFolders } from "./trained-models.ts";

const root = mkdtempSync(join(tmpdir(), "salescast-network-covariates-"));
const WINDOW = 8;
let app: SalescastApp;
let trained: TrainRunResult;

beforeAll(async () => {
  writePromoData(root);
  const overrides = [
    ...promoOverrides(root, WINDOW),
    "model.members=[network]",
    "model.highway=false",
    "train.max_epochs=60",
  ];
  trained = await trainFromConfig(loadConfig(CONFIG_FILE, overrides, {}), { progress: silentProgress });
  app = await buildApp({
    config: loadConfig(CONFIG_FILE, [...overrides, "forecast.clip_negative=false"], {}),
    models: await serveFolders([trained.models[0].artifact.folder]),
  });
}, 120_000);

afterAll(async () => {
  await app.close();
  rmSync(root, { recursive: true, force: true });
});

describe("a network trained with covariates, served", () => {
  it("saves a network that reads the features, its graph taking them", () => {
    const { meta } = trained.models[0].artifact;
    expect(meta.spec.architecture).toBe("cnn_lstm");
    // promo and the three holiday features are known ahead, temperature is past-only (the last column)
    expect(meta.spec.features).toBe(5);
    expect(meta.features?.names).toEqual([
      "holiday",
      "days_to_holiday",
      "days_since_holiday",
      "promo",
      "temperature",
    ]);
    expect(meta.spec.featureColumns).toContain(3);
  });

  it("moves the forecast by the promotion's lift where the horizon has one, and not elsewhere", async () => {
    expectPromotionLift(await promoLift(app, WINDOW));
  });
});
