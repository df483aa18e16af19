/** A queue that cannot be used; the message names `queue.url` (without its password) and the cause. */
export class QueueError extends Error {
  override name = "QueueError";
}
