import type { Worker } from "node:worker_threads";
import { inputWidth } from "../model/feature-input.ts";
import type { Network, NetworkSpec } from "../model/spec.ts";
import { startTypeScriptWorker } from "../parallel/index.ts";
import {
  awaitAnswer,
  awaitReady,
  type ChannelSizes,
  createChannel,
  request,
  type ShardChannel,
  ShardCommand,
} from "./shard-channel.ts";
import type { ShardThreadData } from "./shard-thread.ts";

const SHARD_MODULE = new URL("./shard-thread.ts", import.meta.url);

/** Starting a thread loads the engine's modules through tsx: seconds, not minutes. */
const START_TIMEOUT_MS = 120_000;

/** Threads that each hold a replica of a network of one spec, for as many fits of it as needed. */
export interface ShardThreads {
  channels: ShardChannel[];
  close(): void;
}

/**
 * Starts `count` shard threads for networks of `spec` and batches of at most `rows` rows, and waits until
 * each has built its replica.
 */
export function startShardThreads(
  spec: NetworkSpec,
  params: number,
  rows: number,
  count: number,
): ShardThreads {
  const sizes: ChannelSizes = { params, rows, inputWidth: inputWidth(spec), horizon: spec.horizon };
  const channels: ShardChannel[] = [];
  const workers: Worker[] = [];
  const close = () => {
    for (const channel of channels) request(channel, ShardCommand.Exit, 0);
    for (const worker of workers) void worker.terminate();
  };
  try {
    for (let i = 0; i < count; i++) {
      const channel = createChannel(sizes);
      const workerData: ShardThreadData = { buffer: channel.buffer, sizes, spec };
      const worker = startTypeScriptWorker(SHARD_MODULE, { workerData });
      // A thread must not keep the process alive, or fail it from an event the blocked loop cannot see.
      worker.unref();
      worker.on("error", () => {});
      channels.push(channel);
      workers.push(worker);
    }
    for (const channel of channels) awaitReady(channel, START_TIMEOUT_MS);
  } catch (error) {
    close();
    throw error;
  }
  return { channels, close };
}

/**
 * `local` trained data-parallel: each batch is cut into contiguous shards, the first computed here and each
 * other one on a shard thread at the same time; the threads' gradients are then added to the local ones in
 * shard order. The loss gradient of a batch is already divided by its whole size, so the sum is the batch's
 * gradient: the same training as one thread, up to the order of float additions, and deterministic for a
 * given thread count.
 */
export function shardedNetwork(local: Network, threads: ShardThreads): Network {
  const { horizon } = local.spec;
  const width = inputWidth(local.spec);
  // Networks train without a quantile head; one is added and fitted afterwards (quantile-head-fit.ts).
  if (local.quantileHead) throw new Error("a network with a quantile head is not trained data-parallel");
  const { channels } = threads;
  const shards = channels.length + 1;
  let output = new Float32Array(0);
  // Rows of the current batch computed here, and by each thread.
  let ownRows = 0;
  let threadRows: number[] = [];
  const split = (batch: number) => {
    const per = Math.ceil(batch / shards);
    const room = channels[0]?.sizes.rows ?? per;
    if (per > room)
      throw new RangeError(`a batch of ${batch} rows is larger than the shard threads were made for`);
    ownRows = Math.min(per, batch);
    threadRows = channels.map((_, i) => Math.max(0, Math.min(per, batch - per * (i + 1))));
  };
  const threadStart = (i: number) => ownRows + threadRows.slice(0, i).reduce((a, b) => a + b, 0);
  return {
    spec: local.spec,
    params: local.params,
    head: local.head,
    quantileHead: null,
    zeroGrad: () => local.zeroGrad(),
    forward(x, batch) {
      split(batch);
      channels.forEach((channel, i) => {
        if (threadRows[i] === 0) return;
        let offset = 0;
        for (const { data } of local.params) {
          channel.params.set(data, offset);
          offset += data.length;
        }
        const start = threadStart(i);
        channel.input.set(x.subarray(start * width, (start + threadRows[i]) * width));
        request(channel, ShardCommand.Forward, threadRows[i]);
      });
      if (output.length < batch * horizon) output = new Float32Array(batch * horizon);
      output.set(local.forward(x.subarray(0, ownRows * width), ownRows).subarray(0, ownRows * horizon));
      channels.forEach((channel, i) => {
        if (threadRows[i] === 0) return;
        awaitAnswer(channel, "a forward pass");
        output.set(channel.output.subarray(0, threadRows[i] * horizon), threadStart(i) * horizon);
      });
      return output;
    },
    backward(dOut) {
      channels.forEach((channel, i) => {
        if (threadRows[i] === 0) return;
        const start = threadStart(i) * horizon;
        channel.output.set(dOut.subarray(start, start + threadRows[i] * horizon));
        request(channel, ShardCommand.Backward, threadRows[i]);
      });
      local.backward(dOut.subarray(0, ownRows * horizon));
      channels.forEach((channel, i) => {
        if (threadRows[i] === 0) return;
        awaitAnswer(channel, "a backward pass");
        let offset = 0;
        for (const { grad } of local.params) {
          const from = channel.grads.subarray(offset, offset + grad.length);
          for (let j = 0; j < grad.length; j++) grad[j] += from[j];
          offset += grad.length;
        }
      });
    },
  };
}
