/**
 * A queue that cannot be used (the message names `queue.url`, without its password, and the cause), or a work
 * unit that failed every attempt (the message names the unit and the reason).
 */
export class QueueError extends Error {
  override name = "QueueError";
}
