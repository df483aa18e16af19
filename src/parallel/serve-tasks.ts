import { parentPort, type Transferable } from "node:worker_threads";
import type { WorkerReply } from "./worker-pool.ts";

/**
 * The worker side of a WorkerPool: answers each task posted to this thread with the handler's result (its
 * transferable buffers moved, not copied) or with the message of what it threw. Outside a worker, nothing.
 */
export function serveTasks<Task, Result>(
  handler: (task: Task) => { result: Result; transfer?: Transferable[] },
): void {
  const port = parentPort;
  if (port === null) return;
  port.on("message", (task: Task) => {
    let reply: WorkerReply<Result>;
    let transfer: Transferable[] = [];
    try {
      const answer = handler(task);
      reply = { ok: true, result: answer.result };
      transfer = answer.transfer ?? [];
    } catch (error) {
      reply = { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(reply, transfer);
  });
}
