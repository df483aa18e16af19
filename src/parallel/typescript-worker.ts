import { Worker, type WorkerOptions } from "node:worker_threads";

/**
 * A worker thread running a TypeScript module. Node cannot load TypeScript by itself and a worker does not
 * inherit the loader tsx registered in the main thread (`--import tsx` in execArgv does not reach the
 * worker's entry module either), so a small bootstrap registers tsx in the worker and then imports it.
 */
export function startTypeScriptWorker(module: URL, options: Omit<WorkerOptions, "eval"> = {}): Worker {
  const tsx = import.meta.resolve("tsx/esm/api");
  const bootstrap =
    `import(${JSON.stringify(tsx)})` +
    `.then((tsx) => { tsx.register(); return import(${JSON.stringify(module.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
