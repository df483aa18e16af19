import type { Command } from "commander";
import { importCheckpoint, ORIGINAL_DEFAULTS } from "../checkpoint/index.ts";
import { DEFAULT_CONFIG_PATH, type Frequency, loadConfig } from "../config/index.ts";
import { Registry, removeStalePartials } from "../registry/index.ts";
import { parsePositiveInt, runCommand, UsageError } from "./errors.ts";
import { describeRegistration } from "./models-commands.ts";

interface ImportFlags {
  checkpoint: string;
  normalization: string;
  series?: string;
  windowSize: string;
  horizon: string;
  frequency: string;
  season: string;
  config: string;
}

const FREQUENCIES = ["D", "W", "M"];

export function registerImportCommands(program: Command): void {
  program
    .command("import-checkpoint")
    .description(
      "turn a PyTorch Lightning CNN-LSTM checkpoint of the original Python service into a registered model " +
        "(ONNX, its normalization rule kept), promoted by the registry's policy",
    )
    .requiredOption("--checkpoint <file>", "the .ckpt file (a torch.save zip); nothing in it is ever run")
    .requiredOption("--normalization <file>", 'its normalization JSON: {"mean": ..., "std": ...}')
    .option("--series <id>", "import as this series' own model (default: the global model)")
    .option("--window-size <n>", "values a forecast needs", String(ORIGINAL_DEFAULTS.windowSize))
    .option("--horizon <n>", "periods a forecast covers (fc's rows)", String(ORIGINAL_DEFAULTS.horizon))
    .option("--frequency <D|W|M>", "period of the series", ORIGINAL_DEFAULTS.frequency)
    .option("--season <m>", "seasonal period", String(ORIGINAL_DEFAULTS.season))
    .option("-c, --config <file>", "config file (paths.artifacts, registry)", DEFAULT_CONFIG_PATH)
    .argument("[overrides...]", "config overrides such as registry.promotion=always")
    .action((overrides: string[], flags: ImportFlags) =>
      runCommand(async () => {
        if (!FREQUENCIES.includes(flags.frequency)) {
          throw new UsageError(`--frequency must be D, W or M, got '${flags.frequency}'`);
        }
        if (flags.series !== undefined && (flags.series.length === 0 || flags.series.length > 300)) {
          throw new UsageError("--series must be a series id of 1 to 300 characters");
        }
        const options = {
          checkpoint: flags.checkpoint,
          normalization: flags.normalization,
          series: flags.series,
          windowSize: parsePositiveInt("--window-size", flags.windowSize),
          horizon: parsePositiveInt("--horizon", flags.horizon),
          frequency: flags.frequency as Frequency,
          season: parsePositiveInt("--season", flags.season),
        };
        const config = loadConfig(flags.config, overrides);
        removeStalePartials(config.paths.artifacts);
        const registry = await Registry.open(config.registry);
        try {
          const { artifact, registration } = await importCheckpoint(
            config.paths.artifacts,
            registry,
            options,
          );
          console.log(`${artifact.meta.name}: saved ${artifact.folder}`);
          console.log(`  ${describeRegistration(registration)}`);
        } finally {
          await registry.close();
        }
      }),
    );
}
