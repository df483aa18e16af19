import type { Command } from "commander";
import { ORIGINAL_DEFAULTS } from "../checkpoint/defaults.ts";
import { DEFAULT_CONFIG_PATH } from "../config/default-path.ts";
import type { ImportFlags } from "./import-actions.ts";
import { runLazily } from "./lazy.ts";

const actions = () => import("./import-actions.ts");

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
      runLazily(actions, (a) => a.importCommand(overrides, flags)),
    );
}
