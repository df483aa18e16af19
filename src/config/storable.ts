import { redactUrl } from "./redact-url.ts";
import type { Config } from "./schema.ts";

const redactedOrEmpty = (url: string | undefined) => (url ? redactUrl(url) : url);

/**
 * The config as it may leave this process, beside a model or inside a queued work unit: no admin token or
 * its file, and no password in the registry's or the queue's URL (a unit never opens either).
 */
export function storableConfig(config: Config): Config {
  return {
    ...config,
    server: { ...config.server, admin_token: "", admin_token_file: "" },
    registry: { ...config.registry, url: redactedOrEmpty(config.registry.url) },
    queue: { ...config.queue, url: redactedOrEmpty(config.queue.url) ?? "" },
  };
}
