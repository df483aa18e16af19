export { serveTasks, type TaskAnswer } from "./serve-tasks.ts";
export { startTypeScriptWorker } from "./typescript-worker.ts";
export { WorkerPool, type WorkerReply } from "./worker-pool.ts";
