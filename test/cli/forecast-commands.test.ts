import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parse, stringify } from "yaml";
import { saveArtifact } from "../../src/artifact/index.ts";
import { registerForecastCommands } from "../../src/cli/forecast-commands.ts";
import { Registry } from "../../src/registry/index.ts";
import { closeAfterTest, fakeArtifact, tempDir } from "../registry/fixtures.ts";
import { CONFIG_FILE } from "../registry/training-config.ts";
import { handMadeMeta } from "../server/hand-made-meta.ts";

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

  it("writes the rows and bands of a hand-made model as worked out by hand", async () => {
    const { dir, configFile } = await setup();
    const registry = await closeAfterTest(
      Registry.open({ path: join(dir, "salescast.db"), promotion: "always" }),
    );
    const series = ["a", "b", 'c,"q"'];
    const artifact = saveArtifact(join(dir, "artifacts"), {
      onnx: new Uint8Array([1]),
      normalization: {
        default: { mean: 1, std: 1 },
        series: Object.fromEntries(series.map((id) => [id, { mean: 1, std: 1 }])),
      },
      forecasts: {
        horizon: 2,
        // per step 3 scores: at 50% the 2nd smallest (4, 8), at 80% past what 3 certify, the largest (6, 12)
        calibration: {
          method: "conformal",
          pooled: [
            [2, 4, 6],
            [4, 8, 12],
          ],
          window: [],
        },
        series: {
          // no scores of its own: half-widths 4, 8 (50%) and 6, 12 (80%) times scale 1; lows clipped at 0
          a: {
            dates: ["2024-03-01", "2024-03-02"],
            values: [2, 20],
            members: {},
            weights: {},
            interval: { scale: 1, scores: [[], []] },
          },
          // six scores of 6 at step 1: ratios 1.5 of the 50% quantile 4, so the factor is (6·1.5 + 10)/16 =
          // 1.1875, half-widths 4.75·2 = 9.5 and 9.5·2 = 19; ratios 1 of the 80% quantile 6, factor 1,
          // half-widths 6·2 = 12 and 12·2 = 24
          b: {
            dates: ["2024-03-01", "2024-03-02"],
            values: [100.5, 50],
            members: {},
            weights: {},
            interval: { scale: 2, scores: [[6, 6, 6, 6, 6, 6], []] },
          },
          // no interval: empty bounds; its id quoted
          'c,"q"': { dates: ["2024-03-01", "2024-03-02"], values: [0.1, 3], members: {}, weights: {} },
        },
      },
      meta: handMadeMeta({ architecture: "cnn_lstm" }, series, 2),
    });
    // the registry promotes every version: this one replaces setup's
    expect((await registry.register(artifact)).promoted).toBe(true);
    const out = join(dir, "golden.csv");
    await salescast(
      "forecast",
      "--config",
      configFile,
      "--out",
      out,
      "--level",
      "50,80",
      "forecast.clip_negative=true",
    );
    expect(readFileSync(out, "utf8")).toBe(
      "series_id,date,forecast,lo_50,hi_50,lo_80,hi_80\n" +
        "a,2024-03-01,2,0,6,0,8\n" +
        "a,2024-03-02,20,12,28,8,32\n" +
        "b,2024-03-01,100.5,91,110,88.5,112.5\n" +
        "b,2024-03-02,50,31,69,26,74\n" +
        '"c,""q""",2024-03-01,0.1,,,,\n' +
        '"c,""q""",2024-03-02,3,,,,\n',
    );
  });
});
