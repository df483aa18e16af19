import { describe, expect, it } from "vitest";
import { loadConfig, storableConfig } from "../../src/config/index.ts";

describe("storableConfig", () => {
  it("keeps no admin token and no password in the registry's or the queue's URL", () => {
    const config = loadConfig(
      "config/config.yaml",
      [
        "server.admin_token=token-5e1f",
        "server.admin_token_file=/run/secrets/admin",
        'registry.url="postgres://app:pg-pass-77@db:5432/salescast"',
        'queue.url="redis://default:redis-pass-31@cache:6379/1"',
      ],
      {},
    );
    const stored = storableConfig(config);
    const text = JSON.stringify(stored);
    for (const secret of ["token-5e1f", "/run/secrets/admin", "pg-pass-77", "redis-pass-31"]) {
      expect(text).not.toContain(secret);
    }
    expect(stored.registry.url).toBe("postgres://app:***@db:5432/salescast");
    expect(stored.queue.url).toBe("redis://default:***@cache:6379/1");
    expect(stored.model).toEqual(config.model);
    expect(stored.server.port).toBe(config.server.port);
  });

  it("leaves empty URLs empty", () => {
    const stored = storableConfig(loadConfig("config/config.yaml", [], {}));
    expect(stored.registry.url).toBe("");
    expect(stored.queue.url).toBe("");
  });
});
