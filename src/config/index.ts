export {
  applyOverrides,
  ConfigError,
  DEFAULT_CONFIG_PATH,
  envOverrides,
  loadConfig,
  validateConfig,
} from "./load.ts";
export { redactUrl } from "./redact-url.ts";
export type {
  Config,
  DataConfig,
  Frequency,
  ModelConfig,
  QueueConfig,
  RegistryConfig,
  ServerConfig,
  TrainConfig,
  TrainLimits,
} from "./schema.ts";
export { configSchema } from "./schema.ts";
export { storableConfig } from "./storable.ts";
