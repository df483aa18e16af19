export { applyOverrides, ConfigError, DEFAULT_CONFIG_PATH, loadConfig, validateConfig } from "./load.ts";
export type { Config, DataConfig, Frequency, ModelConfig, TrainConfig } from "./schema.ts";
export { configSchema } from "./schema.ts";
