import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { readArtifact } from "../../src/artifact/index.ts";
import { registerImportCommands } from "../../src/cli/import-commands.ts";
import { Registry } from "../../src/registry/index.ts";
import { closeAfterTest, tempDir } from "../registry/fixtures.ts";
import { CONFIG_FILE } from "../registry/training-config.ts";
import { checkpointZip, lightningPickle, op, originalShapedTensors, pickle } from "./handmade.ts";

const ORIGINAL = fileURLToPath(new URL("../fixtures/original_checkpoints/", import.meta.url));

/** Runs `salescast import-checkpoint ...args` in-process; what it printed, and the exit status it set. */
async function salescast(...args: string[]): Promise<{ out: string; exitCode: number }> {
  const printed: string[] = [];
  vi.spyOn(console, "log").mockImplementation((line: string) => printed.push(`${line}\n`));
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => printed.push(String(chunk)) > 0);
  const program = new Command().exitOverride();
  registerImportCommands(program);
  await program.parseAsync(["node", "salescast", "import-checkpoint", ...args]);
  vi.restoreAllMocks();
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { out: printed.join(""), exitCode };
}

afterEach(async () => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

function setup() {
  const dir = tempDir();
  const registryPath = join(dir, "registry.db");
  const artifacts = join(dir, "artifacts");
  const overrides = [
    "-c",
    CONFIG_FILE,
    `paths.artifacts=${JSON.stringify(artifacts)}`,
    `registry.path=${JSON.stringify(registryPath)}`,
  ];
  const normalization = join(dir, "normalization.json");
  writeFileSync(normalization, JSON.stringify({ mean: 400, std: 600 }));
  return { dir, artifacts, registryPath, overrides, normalization };
}

const registryModels = async (path: string) =>
  (await closeAfterTest(Registry.open({ path, promotion: "if_better" }))).list();

describe("salescast import-checkpoint", () => {
  it("imports the original's checkpoint as a series' model with the original's meta and rule", async () => {
    const { artifacts, registryPath, overrides } = setup();
    const { out, exitCode } = await salescast(
      "--checkpoint",
      join(ORIGINAL, "model_beauty.ckpt"),
      "--normalization",
      join(ORIGINAL, "normalization_beauty.json"),
      "--series",
      "Beauty",
      ...overrides,
    );
    expect(exitCode).toBe(0);
    expect(out).toContain(
      "series:Beauty v1 (id 1): registered, promoted to production (no version was in production)",
    );
    const [model] = await registryModels(registryPath);
    expect(model).toMatchObject({ name: "series:Beauty", version: 1, stage: "production" });
    const artifact = readArtifact(model.folder);
    expect(artifact.folder.startsWith(artifacts)).toBe(true);
    expect(artifact.meta).toMatchObject({
      scope: "per_series",
      series: ["Beauty"],
      window_size: 14,
      horizon: 1,
      frequency: "D",
      season: 7,
      spec: { convChannels: 32, kernelSize: 3, lstmHidden: 64, lstmLayers: 1 },
      training: { epochs: 10 },
    });
    const stats = JSON.parse(readFileSync(join(ORIGINAL, "normalization_beauty.json"), "utf8"));
    expect(artifact.normalization).toEqual({
      default: stats,
      series: { Beauty: stats },
      input_std_epsilon: 1e-6,
    });
  });

  it("records window, horizon, frequency and season from flags", async () => {
    const { registryPath, overrides } = setup();
    const { exitCode } = await salescast(
      "--checkpoint",
      join(ORIGINAL, "model.ckpt"),
      "--normalization",
      join(ORIGINAL, "normalization.json"),
      "--window-size",
      "28",
      "--frequency",
      "W",
      "--season",
      "52",
      ...overrides,
    );
    expect(exitCode).toBe(0);
    const [model] = await registryModels(registryPath);
    expect(model.name).toBe("global");
    expect(readArtifact(model.folder).meta).toMatchObject({
      window_size: 28,
      frequency: "W",
      season: 52,
      series: [],
    });
  });

  it.each([
    ["os", "system"],
    ["builtins", "eval"],
    ["subprocess", "Popen"],
  ])("refuses a checkpoint asking for %s.%s with exit status 2, writing nothing", async (module, name) => {
    const { dir, artifacts, registryPath, overrides, normalization } = setup();
    const payload = pickle(
      op.unicode("callbacks"),
      op.global(module, name),
      op.unicode("id"),
      op.tuple1(),
      op.reduce(),
    );
    const tensors = originalShapedTensors();
    const hostile = join(dir, "hostile.ckpt");
    writeFileSync(hostile, checkpointZip(tensors, { pickleBytes: lightningPickle(tensors, payload) }));
    const { out, exitCode } = await salescast(
      "--checkpoint",
      hostile,
      "--normalization",
      normalization,
      ...overrides,
    );
    expect(exitCode).toBe(2);
    expect(out).toMatch(
      new RegExp(
        `^error: .*hostile\\.ckpt: archive/data\\.pkl: asks for the global '${module}\\.${name}', which is refused`,
      ),
    );
    expect(existsSync(artifacts) ? readdirSync(artifacts) : []).toEqual([]);
    expect(existsSync(registryPath) ? await registryModels(registryPath) : []).toEqual([]);
  });

  it("refuses a checkpoint of another shape and a bad normalization file with exit status 2", async () => {
    const { dir, artifacts, overrides, normalization } = setup();
    const wide = join(dir, "wide.ckpt");
    writeFileSync(wide, checkpointZip(originalShapedTensors({ "fc.weight": [2, 64], "fc.bias": [2] })));
    const shape = await salescast("--checkpoint", wide, "--normalization", normalization, ...overrides);
    expect(shape.exitCode).toBe(2);
    expect(shape.out).toContain("fc.weight has shape [2, 64], the CNN-LSTM needs [1, 64]");
    const badStats = join(dir, "bad.json");
    writeFileSync(badStats, JSON.stringify({ mean: 1, std: 0 }));
    const stats = await salescast(
      "--checkpoint",
      join(ORIGINAL, "model.ckpt"),
      "--normalization",
      badStats,
      ...overrides,
    );
    expect(stats.exitCode).toBe(2);
    expect(stats.out).toContain("bad.json: std: must be > 0");
    const flag = await salescast(
      "--checkpoint",
      wide,
      "--normalization",
      normalization,
      "--frequency",
      "H",
      ...overrides,
    );
    expect(flag.out).toContain("--frequency must be D, W or M, got 'H'");
    expect(existsSync(artifacts) ? readdirSync(artifacts) : []).toEqual([]);
  });

  it("imports a two-step horizon when the checkpoint's head has two rows and --horizon says so", async () => {
    const { dir, registryPath, overrides, normalization } = setup();
    const file = join(dir, "two.ckpt");
    writeFileSync(file, checkpointZip(originalShapedTensors({ "fc.weight": [2, 64], "fc.bias": [2] })));
    const { exitCode } = await salescast(
      "--checkpoint",
      file,
      "--normalization",
      normalization,
      "--horizon",
      "2",
      ...overrides,
    );
    expect(exitCode).toBe(0);
    expect(readArtifact((await registryModels(registryPath))[0].folder).meta.horizon).toBe(2);
  });
});
