import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import type { Series } from "../../src/data/index.ts";
import { createNetwork, type NetworkSpec, Rng } from "../../src/model/index.ts";
import { shardedNetwork, startShardThreads } from "../../src/train/sharded-network.ts";
import { trainModel } from "../../src/train/train-model.ts";

const spec: NetworkSpec = {
  architecture: "cnn_lstm",
  windowSize: 8,
  horizon: 3,
  convChannels: 4,
  kernelSize: 3,
  lstmHidden: 5,
  lstmLayers: 2,
  highway: true,
};

const random = (length: number, seed: number) => {
  const rng = new Rng(seed);
  return Float32Array.from({ length }, () => rng.uniformRange(-1, 1));
};

describe("a data-parallel network", () => {
  const local = createNetwork(spec, new Rng(3));
  const count = local.params.reduce((n, p) => n + p.data.length, 0);
  const threads = startShardThreads(spec, count, 16, 2);
  afterAll(() => threads.close());

  it("gives the forward and the gradients of the whole batch, over three shards", () => {
    const reference = createNetwork(spec, new Rng(3));
    const sharded = shardedNetwork(local, threads);
    // 7 rows over 3 shards: 3, 3 and 1.
    const x = random(7 * spec.windowSize, 1);
    const dOut = random(7 * spec.horizon, 2);
    for (const network of [reference, sharded]) network.zeroGrad();
    const expected = Array.from(reference.forward(x, 7).subarray(0, 7 * spec.horizon));
    const output = Array.from(sharded.forward(x, 7).subarray(0, 7 * spec.horizon));
    output.forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i], 6);
    });
    reference.backward(dOut);
    sharded.backward(dOut);
    reference.params.forEach((p, k) => {
      const grad = sharded.params[k].grad;
      const size = Math.max(...Array.from(p.grad, Math.abs));
      expect(size, p.name).toBeGreaterThan(0);
      p.grad.forEach((g, j) => {
        expect(Math.abs(grad[j] - g), `${p.name}[${j}]`).toBeLessThan(1e-5 * size);
      });
    });
  });

  it("takes the parameters of each step: a change here changes the threads' rows", () => {
    const sharded = shardedNetwork(local, threads);
    const x = random(6 * spec.windowSize, 4);
    const before = Array.from(sharded.forward(x, 6).subarray(0, 6 * spec.horizon));
    local.params[local.params.length - 1].data[0] += 1; // the highway's bias of step 1
    const after = Array.from(sharded.forward(x, 6).subarray(0, 6 * spec.horizon));
    for (let row = 0; row < 6; row++) {
      expect(after[row * spec.horizon] - before[row * spec.horizon]).toBeCloseTo(1, 5);
      expect(after[row * spec.horizon + 1]).toBe(before[row * spec.horizon + 1]);
    }
  });
});

describe("training on two threads", () => {
  const config = loadConfig(
    "config/config.yaml",
    [
      "data.window_size=8",
      "data.horizon=3",
      "train.max_epochs=3",
      "model.lstm_hidden=8",
      "data.batch_size=16",
    ],
    {},
  );
  const series: Series[] = ["a", "b"].map((id, s) => ({
    id,
    frequency: "D",
    start: "2024-01-01",
    values: Float64Array.from(
      { length: 120 },
      (_, t) => 50 + 20 * Math.sin((2 * Math.PI * t) / 7) + s * 10 + (t % 5),
    ),
  }));
  const weights = (threads: number) =>
    trainModel(series, config, { threads, minShardedSteps: 0 }).network.params.map((p) => Array.from(p.data));

  it("trains on one thread when the training is too small to pay for another", () => {
    const two = trainModel(series, config, { threads: 2 }).network.params.map((p) => Array.from(p.data));
    expect(two).toEqual(weights(1));
  });

  it("is deterministic for a thread count, and the training of one thread up to float rounding", () => {
    const two = weights(2);
    expect(weights(2)).toEqual(two);
    const one = weights(1);
    let largest = 0;
    one.forEach((values, k) => {
      values.forEach((v, j) => {
        largest = Math.max(largest, Math.abs(v - two[k][j]));
      });
    });
    expect(largest).toBeLessThan(1e-3);
    // Not the same run: the threads' gradients are added in another order than one thread's.
    expect(two).not.toEqual(one);
  });

  it("shares the batches once windows × epochs × window length reach the bound, not windows × epochs", () => {
    const { trainWindows } = trainModel(series, config, { threads: 1 });
    // 3 epochs of windows of 8 steps: exactly this many time steps.
    const steps = 3 * trainWindows * 8;
    const trained = (minShardedSteps: number) =>
      trainModel(series, config, { threads: 2, minShardedSteps }).network.params.map((p) =>
        Array.from(p.data),
      );
    const one = weights(1);
    expect(trained(steps + 1)).toEqual(one);
    expect(trained(steps)).toEqual(weights(2));
    expect(trained(steps)).not.toEqual(one);
  });
});
