import { parentPort, type Transferable } from "node:worker_threads";
import type { WorkerReply } from "./worker-pool.ts";

/** A task's result and the buffers to move with it (not copy). */
export interface TaskAnswer<Result> {
  result: Result;
  transfer?: Transferable[];
}

/**
 * The worker side of a WorkerPool: answers each task posted to this thread with the handler's result or
 * with the message of what it threw. Outside a worker, nothing.
 */
export function serveTasks<Task, Result>(
  handler: (task: Task) => TaskAnswer<Result> | Promise<TaskAnswer<Result>>,
): void {
  const port = parentPort;
  if (port === null) return;
  port.on("message", async (task: Task) => {
    let reply: WorkerReply<Result>;
    let transfer: Transferable[] = [];
    try {
      const answer = await handler(task);
      reply = { ok: true, result: answer.result };
      transfer = answer.transfer ?? [];
    } catch (error) {
      reply = { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(reply, transfer);
  });
}
