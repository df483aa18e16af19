import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parse, stringify } from "yaml";
import { describeRegistration, trainIntoRegistry } from "../../src/cli/models-actions.ts";
import { registerModelsCommands } from "../../src/cli/models-commands.ts";
import { Registry } from "../../src/registry/index.ts";
import { closeAfterTest, fakeArtifact, tempDir } from "./fixtures.ts";
import { CONFIG_FILE, smallTrainingConfig } from "./training-config.ts";

/** A config file whose registry lives in a temp folder, and that registry with two global versions. */
async function setup() {
  const dir = tempDir();
  const tree = parse(readFileSync(CONFIG_FILE, "utf8"));
  tree.registry = { path: join(dir, "salescast.db"), promotion: "always" };
  const configFile = join(dir, "config.yaml");
  writeFileSync(configFile, stringify(tree));
  const registry = await closeAfterTest(Registry.open(tree.registry));
  const v1 = (await registry.register(fakeArtifact(join(dir, "artifacts"), "global", 0.8123))).model;
  const v2 = (await registry.register(fakeArtifact(join(dir, "artifacts"), "global", null))).model;
  return { configFile, registry, v1, v2 };
}

/** Runs `salescast models ...args` in-process and returns what it printed to stdout. */
async function salescast(...args: string[]): Promise<string> {
  const printed: string[] = [];
  vi.spyOn(console, "log").mockImplementation((line: string) => printed.push(`${line}\n`));
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => printed.push(String(chunk)) > 0);
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => printed.push(String(chunk)) > 0);
  const program = new Command().exitOverride();
  registerModelsCommands(program);
  await program.parseAsync(["node", "salescast", "models", ...args]);
  vi.restoreAllMocks();
  return printed.join("");
}

afterEach(async () => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe("salescast models", () => {
  it("list prints a table with id, name, version, stage, validation MASE and creation time", async () => {
    const { configFile, v1, v2 } = await setup();
    const lines = (await salescast("list", "-c", configFile)).trimEnd().split("\n");
    expect(lines[0].split(/\s+/)).toEqual(["ID", "NAME", "VERSION", "STAGE", "VAL", "MASE", "CREATED"]);
    expect(lines[1].split(/\s+/)).toEqual([String(v1.id), "global", "1", "archived", "0.812", v1.created_at]);
    expect(lines[2].split(/\s+/)).toEqual([String(v2.id), "global", "2", "production", "n/a", v2.created_at]);
  });

  it("show prints one version as JSON", async () => {
    const { configFile, v2 } = await setup();
    expect(JSON.parse(await salescast("show", String(v2.id), "-c", configFile))).toEqual(v2);
  });

  it("promote and rollback change which version serves and say so", async () => {
    const { configFile, registry, v1, v2 } = await setup();
    expect(await salescast("promote", String(v1.id), "-c", configFile)).toBe(
      `promoted global v1 (id ${v1.id}): now in production; global v2 (id ${v2.id}) archived\n`,
    );
    expect(await salescast("rollback", "-c", configFile)).toBe(
      `rolled back to global v2 (id ${v2.id}): now in production; global v1 (id ${v1.id}) archived\n`,
    );
    expect((await registry.production()).map((m) => m.id)).toEqual([v2.id]);
  });

  it("reports an id that is not a number as a usage error", async () => {
    const { configFile } = await setup();
    expect(await salescast("show", "abc", "-c", configFile)).toBe(
      "error: ID must be a positive integer, got 'abc'\n",
    );
    expect(process.exitCode).toBe(2);
  });

  it("trainIntoRegistry trains, registers and describes each version (for salescast train)", async () => {
    const dir = tempDir();
    vi.spyOn(process.stderr, "write").mockImplementation(() => true); // epoch lines
    const config = smallTrainingConfig(dir, ["registry.promotion=manual"]);
    const { models } = await trainIntoRegistry(config);
    const { registration } = models[0];
    expect(describeRegistration(registration)).toBe(
      `global v1 (id ${registration.model.id}): registered, left as candidate (promotion policy is manual)`,
    );
    const registry = await closeAfterTest(Registry.open(config.registry));
    expect((await registry.list()).map((m) => m.folder)).toEqual([models[0].artifact.folder]);
  });
});
