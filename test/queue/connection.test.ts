import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { connectRedis, QueueError } from "../../src/queue/index.ts";
import { CONFIG_FILE } from "../server/trained-models.ts";

/** A port that nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("the queue's connection", () => {
  it("names queue.url, without its password, when Redis cannot be reached", async () => {
    const port = await closedPort();
    const error = await connectRedis(`redis://user:secret@127.0.0.1:${port}`).catch((e) => e);
    expect(error).toBeInstanceOf(QueueError);
    expect(error.message).toContain(`cannot reach the queue at redis://user:***@127.0.0.1:${port}`);
    expect(error.message).toContain("(queue.url)");
    expect(error.message).not.toContain("secret");
  }, 10_000);

  it("is configured by queue.url or REDIS_URL, and refuses a URL of another kind", () => {
    expect(loadConfig(CONFIG_FILE, [], {}).queue.url).toBe("");
    expect(loadConfig(CONFIG_FILE, [], { REDIS_URL: "redis://cache:6379/2" }).queue.url).toBe(
      "redis://cache:6379/2",
    );
    expect(() => loadConfig(CONFIG_FILE, ['queue.url="http://cache:6379"'], {})).toThrow(
      /queue\.url.*must be empty or a redis:\/\/ or rediss:\/\/ connection URL/,
    );
    expect(() => loadConfig(CONFIG_FILE, ["queue.lock_ms=10"], {})).toThrow(/queue\.lock_ms/);
  });
});
