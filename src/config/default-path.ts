/** The config file a command reads unless told another; a module of its own so the CLI can name it without loading the config schema. */
export const DEFAULT_CONFIG_PATH = "config/config.yaml";
