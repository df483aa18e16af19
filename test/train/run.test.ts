import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readArtifact } from "../../src/artifact/index.ts";
import { loadConfig } from "../../src/config/index.ts";
import { DataError } from "../../src/data/index.ts";
import { silentProgress, trainFromConfig } from "../../src/train/index.ts";

const root = mkdtempSync(join(tmpdir(), "salescast-train-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const config = (folder: string, ...overrides: string[]) =>
  loadConfig("config/config.yaml", [
    `paths.artifacts=${join(root, folder)}`,
    "train.max_epochs=2",
    ...overrides,
  ]);

describe("trainFromConfig", () => {
  it("trains one global model on the bundled transactions and saves ONNX, normalization and meta", async () => {
    const result = await trainFromConfig(config("global"), { progress: silentProgress });
    expect(result.models).toHaveLength(1);
    const { artifact } = result.models[0];
    const read = readArtifact(artifact.folder);
    expect(read.meta).toMatchObject({
      name: "global",
      scope: "global",
      window_size: 14,
      horizon: 14,
      frequency: "D",
    });
    expect(read.meta.series).toEqual(["Beauty", "Clothing", "Electronics"]);
    expect(Object.keys(read.normalization.series)).toEqual(["Beauty", "Clothing", "Electronics"]);
    expect(read.meta.validation.model.mae).toBeGreaterThan(0);
    expect(read.meta.validation.seasonal_naive.mase).toBeGreaterThan(0);
    const network = read.meta.members?.network.training;
    expect(network?.epochs).toBeGreaterThan(0);
    expect(network?.epochs).toBeLessThanOrEqual(2);
    expect(network?.refit_epochs).toBe(network?.best_epoch);
    expect(read.meta.format_version).toBe(4);
    expect(Object.keys(read.meta.members ?? {})).toEqual([
      "seasonal_naive",
      "linear",
      "network",
      "mstl",
      "ets",
    ]);
    expect(read.meta.window_member).toMatch(/^(linear|network)$/);
    expect(Object.keys(read.forecasts?.series ?? {})).toEqual(["Beauty", "Clothing", "Electronics"]);
  });

  it("never writes the admin token into the saved meta record", async () => {
    const withToken = loadConfig(
      "config/config.yaml",
      [`paths.artifacts=${join(root, "token")}`, "train.max_epochs=1"],
      { SALESCAST_ADMIN_TOKEN: "s3cret-token" },
    );
    const { models } = await trainFromConfig(withToken, { progress: silentProgress });
    expect(readFileSync(join(models[0].artifact.folder, "meta.json"), "utf8")).not.toContain("s3cret-token");
  });

  it("writes a byte-identical model file for the same seed and data, and another for another seed", async () => {
    const bytes = async (folder: string, ...overrides: string[]) => {
      const { models } = await trainFromConfig(config(folder, ...overrides), { progress: silentProgress });
      return readFileSync(join(models[0].artifact.folder, "model.onnx"));
    };
    // The network alone serves, so the seed matters (the linear member's closed form would not change).
    const network = "model.members=[network_on_linear]";
    const first = await bytes("same-a", network);
    const second = await bytes("same-b", network);
    const third = await bytes("other-seed", network, "train.seed=7");
    expect(first.equals(second)).toBe(true);
    expect(first.equals(third)).toBe(false);
  });

  it("trains one model per series with train.scope=per_series, limited to train.series", async () => {
    const { models } = await trainFromConfig(
      config("per-series", "train.scope=per_series", "train.series=[Beauty, Electronics]"),
      { progress: silentProgress },
    );
    expect(models.map((m) => m.artifact.meta.name)).toEqual(["series:Beauty", "series:Electronics"]);
    expect(models.map((m) => m.artifact.meta.series)).toEqual([["Beauty"], ["Electronics"]]);
  });

  it("names an unknown series in train.series", async () => {
    const run = trainFromConfig(config("unknown", "train.series=[Toys]"), { progress: silentProgress });
    await expect(run).rejects.toThrow(DataError);
    await expect(run).rejects.toThrow(/unknown series "Toys" \(known: Beauty, Clothing, Electronics\)/);
  });
});
