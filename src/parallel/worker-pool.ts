import type { Transferable, Worker } from "node:worker_threads";
import { startTypeScriptWorker } from "./typescript-worker.ts";

interface Job<Task, Result> {
  task: Task;
  transfer: readonly Transferable[];
  resolve: (result: Result) => void;
  reject: (error: Error) => void;
}

/** What a pool's worker module posts back for each task: its result, or the message of what it threw. */
export type WorkerReply<Result> = { ok: true; result: Result } | { ok: false; error: string };

/**
 * A fixed number of worker threads running one module, each given one task at a time from a queue in order.
 * Workers start on first use and hold the process open only while they have a task, so a pool left idle
 * never keeps a command from exiting. A worker that dies fails its task and is replaced on the next one.
 */
export class WorkerPool<Task, Result> {
  private readonly idle: Worker[] = [];
  private readonly queue: Job<Task, Result>[] = [];
  private started = 0;
  private closed = false;

  constructor(
    private readonly module: URL,
    readonly size: number,
    private readonly name: string,
  ) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`a pool needs at least one worker, not ${size}`);
  }

  run(task: Task, transfer: readonly Transferable[] = []): Promise<Result> {
    if (this.closed) return Promise.reject(new Error(`the ${this.name} pool is closed`));
    return new Promise((resolve, reject) => {
      this.queue.push({ task, transfer, resolve, reject });
      this.dispatch();
    });
  }

  /** Ends every worker; tasks still queued fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error(`the ${this.name} pool closed`));
    await Promise.all(this.idle.splice(0).map((worker) => worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.started < this.size ? this.spawn() : undefined);
      if (!worker) return;
      this.give(worker, this.queue.shift() as Job<Task, Result>);
    }
  }

  private spawn(): Worker {
    this.started++;
    return startTypeScriptWorker(this.module, { name: `salescast ${this.name} ${this.started}` });
  }

  private give(worker: Worker, job: Job<Task, Result>): void {
    worker.ref();
    const settle = () => {
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
    };
    const onMessage = (reply: WorkerReply<Result>) => {
      settle();
      worker.unref();
      if (this.closed) void worker.terminate();
      else this.idle.push(worker);
      if (reply.ok) job.resolve(reply.result);
      else job.reject(new Error(reply.error));
      this.dispatch();
    };
    const lost = (error: Error) => {
      settle();
      this.started--;
      job.reject(error);
      this.dispatch();
    };
    const onError = (error: Error) => {
      lost(error);
      void worker.terminate();
    };
    const onExit = (code: number) => lost(new Error(`a ${this.name} worker exited with code ${code}`));
    worker.on("message", onMessage);
    worker.on("error", onError);
    worker.on("exit", onExit);
    worker.postMessage(job.task, [...job.transfer]);
  }
}
