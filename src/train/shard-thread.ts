/**
 * A shard thread of a data-parallel network: a replica of the training thread's network that, on request,
 * takes the current parameters, runs forward on its rows of the batch, then backward from their loss
 * gradient, and hands its gradients back (see shard-channel.ts).
 */
import { workerData } from "node:worker_threads";
import { createNetwork } from "../model/architectures.ts";
import { Rng } from "../model/rng.ts";
import type { NetworkSpec } from "../model/spec.ts";
import {
  type ChannelSizes,
  channelOn,
  ShardCommand,
  serveRequests,
  signalFailedStart,
} from "./shard-channel.ts";

export interface ShardThreadData {
  buffer: SharedArrayBuffer;
  sizes: ChannelSizes;
  spec: NetworkSpec;
}

const { buffer, sizes, spec } = workerData as ShardThreadData;
const channel = channelOn(buffer, sizes);
try {
  // The starting values are replaced by the training thread's before every forward.
  const network = createNetwork(spec, new Rng(0));
  serveRequests(channel, (command, rows) => {
    if (command === ShardCommand.Forward) {
      let offset = 0;
      for (const { data } of network.params) {
        data.set(channel.params.subarray(offset, offset + data.length));
        offset += data.length;
      }
      const out = network.forward(channel.input.subarray(0, rows * sizes.inputWidth), rows);
      channel.output.set(out.subarray(0, rows * sizes.horizon));
    } else {
      network.zeroGrad();
      network.backward(channel.output.subarray(0, rows * sizes.horizon));
      let offset = 0;
      for (const { grad } of network.params) {
        channel.grads.set(grad, offset);
        offset += grad.length;
      }
    }
  });
} catch (error) {
  signalFailedStart(channel, error);
}
