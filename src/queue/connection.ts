import { Redis } from "ioredis";
import { redactUrl } from "../config/index.ts";
import { QueueError } from "./errors.ts";

/** How long the first contact with Redis may take before a command says it cannot reach the queue. */
const REACH_TIMEOUT_MS = 5000;

/**
 * A Redis connection for BullMQ (which needs `maxRetriesPerRequest: null`: its blocking calls wait for as
 * long as Redis is away, and go on once it is back), checked to answer first, so a wrong url is an error
 * within seconds instead of a command that waits forever.
 */
export async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true });
  // Reconnection is ioredis' own; its errors until then are the wait, not news.
  redis.on("error", () => {});
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect().then(() => redis.ping()),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${REACH_TIMEOUT_MS} ms`)),
          REACH_TIMEOUT_MS,
        );
      }),
    ]);
  } catch (error) {
    redis.disconnect();
    throw new QueueError(
      `cannot reach the queue at ${redactUrl(url)} (queue.url): ${(error as Error).message}`,
    );
  } finally {
    clearTimeout(timer);
  }
  return redis;
}
