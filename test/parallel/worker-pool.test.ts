import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { WorkerPool } from "../../src/parallel/index.ts";

const SUM_WORKER = new URL("./sum-worker.ts", import.meta.url);
const pool = new WorkerPool<number[], number>(SUM_WORKER, 2, "sum");
afterAll(() => pool.close());

describe("WorkerPool", () => {
  it("answers every task with its own result, more tasks than workers", async () => {
    const tasks = Array.from({ length: 9 }, (_, i) => [i, i, 1]);
    expect(await Promise.all(tasks.map((t) => pool.run(t)))).toEqual(tasks.map((_, i) => 2 * i + 1));
  });

  it("fails a task with the message its worker threw, and goes on with the next", async () => {
    await expect(pool.run([1, -4])).rejects.toThrow("negative: -4");
    expect(await pool.run([2, 3])).toBe(5);
  });

  it("fails the task of a worker that dies, and replaces the worker", async () => {
    await expect(pool.run([1, Number.NaN])).rejects.toThrow("exited with code 3");
    expect(await Promise.all([pool.run([1]), pool.run([2]), pool.run([3])])).toEqual([1, 2, 3]);
  });

  it("refuses a size below one and tasks after close", async () => {
    expect(() => new WorkerPool(SUM_WORKER, 0, "sum")).toThrow("at least one worker");
    const closed = new WorkerPool<number[], number>(SUM_WORKER, 1, "sum");
    await closed.close();
    await expect(closed.run([1])).rejects.toThrow("closed");
  });

  it("keeps a command waiting for its result, and lets it exit once idle", async () => {
    const script = [
      `import { WorkerPool } from ${JSON.stringify(new URL("../../src/parallel/index.ts", import.meta.url).href)};`,
      `const pool = new WorkerPool(new URL(${JSON.stringify(SUM_WORKER.href)}), 2, "sum");`,
      "console.log(await pool.run([20, 22]));",
    ].join("\n");
    const { stdout } = await promisify(execFile)("npx", ["tsx", "--input-type=module", "-e", script], {
      timeout: 20_000,
    });
    expect(stdout.trim()).toBe("42");
  }, 30_000);
});
