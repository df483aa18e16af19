import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parse, stringify } from "yaml";
import { registerForecastCommands } from "../../src/cli/forecast-commands.ts";
import { Registry } from "../../src/registry/index.ts";
import { closeAfterTest, fakeArtifact, tempDir } from "../registry/fixtures.ts";
import { CONFIG_FILE } from "../registry/training-config.ts";

afterEach(async () => {
  process.exitCode = undefined;
});

/** A config file whose registry holds one production version storing Beauty's forecast: 12 on 2024-01-15. */
async function setup() {
  const dir = tempDir();
  const tree = parse(readFileSync(CONFIG_FILE, "utf8"));
  tree.registry = { path: join(dir, "salescast.db"), promotion: "always" };
  const configFile = join(dir, "config.yaml");
  writeFileSync(configFile, stringify(tree));
  const registry = await closeAfterTest(Registry.open(tree.registry));
  await registry.register(fakeArtifact(join(dir, "artifacts"), "global", 0.5));
  return { dir, configFile };
}

async function salescast(...args: string[]): Promise<string> {
  const printed: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => printed.push(String(chunk)) > 0);
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => printed.push(String(chunk)) > 0);
  const program = new Command().exitOverride();
  registerForecastCommands(program);
  await program.parseAsync(["node", "salescast", ...args]);
  vi.restoreAllMocks();
  return printed.join("");
}

describe("salescast forecast", () => {
  it("writes the production version's stored forecasts as CSV, and prints them as JSON", async () => {
    const { dir, configFile } = await setup();
    const out = join(dir, "forecast.csv");
    await salescast("forecast", "--config", configFile, "--out", out, "--level", "");
    expect(readFileSync(out, "utf8")).toBe("series_id,date,forecast\nBeauty,2024-01-15,12\n");
    const json = JSON.parse(await salescast("forecast", "--config", configFile, "--level", ""));
    expect(json).toEqual({
      series: [
        { series_id: "Beauty", forecast: [{ date: "2024-01-15", value: 12 }], members: { linear: [12] } },
      ],
    });
  });

  it("names an unknown series, a horizon beyond the trained one and a bad output file, with exit status 2", async () => {
    const { configFile } = await setup();
    expect(await salescast("forecast", "--config", configFile, "--series", "Toys")).toBe(
      "error: --series: no production model was trained on series 'Toys'\n",
    );
    expect(process.exitCode).toBe(2);
    expect(await salescast("forecast", "--config", configFile, "--horizon", "2")).toBe(
      "error: horizon must be at most 1, the horizon the model was trained for, got 2\n",
    );
    expect(await salescast("forecast", "--config", configFile, "--out", "forecast.txt")).toBe(
      "error: --out must name a .csv or .json file, got 'forecast.txt'\n",
    );
  });
});
