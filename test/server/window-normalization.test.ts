import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { buildApp, type SalescastApp } from "../../src/server/index.ts";
import { silentProgress, trainFromConfig } from "../../src/train/index.ts";
import { CONFIG_FILE, quickTrainOverrides, salesWindow, serveFolders } from "./trained-models.ts";

const root = mkdtempSync(join(tmpdir(), "salescast-window-"));
let app: SalescastApp;

beforeAll(async () => {
  // Each window scaled by its own stats, served by the network alone (its CNN-LSTM is not linear in the window).
  const overrides = [...quickTrainOverrides(root), "data.normalization=window", "model.members=[network]"];
  const { models } = await trainFromConfig(loadConfig(CONFIG_FILE, overrides, {}), {
    progress: silentProgress,
  });
  app = await buildApp({
    config: loadConfig(CONFIG_FILE, [...overrides, "forecast.clip_negative=false"], {}),
    models: await serveFolders([models[0].artifact.folder]),
  });
});

afterAll(async () => {
  await app.close();
  rmSync(root, { recursive: true, force: true });
});

async function forecast(series: number[]): Promise<number[]> {
  const response = await app.inject({ method: "POST", url: "/api/predict", payload: { series } });
  expect(response.statusCode).toBe(200);
  return response.json().forecast;
}

describe("POST /api/predict with window normalization", () => {
  it("scales with its input: ten times the window gives ten times the forecast", async () => {
    for (const seed of [1, 2, 3]) {
      const window = salesWindow(seed);
      const [base, tenfold] = [await forecast(window), await forecast(window.map((v) => 10 * v))];
      expect(base).toHaveLength(14);
      tenfold.forEach((v, k) => {
        expect(Math.abs(v - 10 * base[k]) / Math.abs(10 * base[k])).toBeLessThan(1e-5);
      });
    }
  });

  it("answers the same for a series id as without one: only the window scales it", async () => {
    const window = salesWindow(4);
    const named = await app.inject({
      method: "POST",
      url: "/api/predict/Beauty",
      payload: { series: window },
    });
    expect(named.json().forecast).toEqual(await forecast(window));
  });
});
