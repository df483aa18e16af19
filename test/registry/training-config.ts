import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Config, loadConfig } from "../../src/config/index.ts";

export const CONFIG_FILE = fileURLToPath(new URL("../../config/config.yaml", import.meta.url));
export const SALES_DATA_CSV = fileURLToPath(new URL("../../data/sales_data.csv", import.meta.url));

/** The bundled config with a small, one-epoch model and the artifacts and registry in `dir`. */
export function smallTrainingConfig(dir: string, overrides: readonly string[] = []): Config {
  return loadConfig(
    CONFIG_FILE,
    [
      `data.csv_path=${JSON.stringify(SALES_DATA_CSV)}`,
      "train.max_epochs=1",
      "model.lstm_hidden=16",
      "model.conv_channels=8",
      "model.members=[seasonal_naive, linear, network_on_linear]",
      `paths.artifacts=${JSON.stringify(join(dir, "artifacts"))}`,
      `registry.path=${JSON.stringify(join(dir, "registry", "salescast.db"))}`,
      ...overrides,
    ],
    {},
  );
}
