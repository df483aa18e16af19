import { describe, expect, it } from "vitest";
import { iterateBatches, type WindowSet } from "../../src/data/index.ts";
import { mseLoss, type Network } from "../../src/model/index.ts";
import { type EpochReport, fitNetwork, type LoopParts } from "../../src/train/loop.ts";

/** A one-parameter "network" that outputs its parameter; each optimizer step adds 1 to it. */
function countingParts(start: number): { parts: LoopParts; value: () => number } {
  const param = { name: "p", shape: [1], data: Float32Array.of(start), grad: new Float32Array(1) };
  const network: Network = {
    spec: {
      architecture: "cnn_lstm",
      windowSize: 1,
      horizon: 1,
      convChannels: 1,
      kernelSize: 1,
      lstmHidden: 1,
      lstmLayers: 1,
    },
    params: [param],
    head: [param],
    quantileHead: null,
    forward: (_x, batch) => new Float32Array(batch).fill(param.data[0]),
    backward: () => {},
    zeroGrad: () => param.grad.fill(0),
  };
  const parts: LoopParts = {
    network,
    step: () => {
      param.data[0] += 1;
    },
    loss: mseLoss,
    batches: (set) => iterateBatches(set, 8),
    evaluationBatches: (set) => iterateBatches(set, 8),
  };
  return { parts, value: () => param.data[0] };
}

function targets(value: number, count: number): WindowSet {
  return {
    x: new Float32Array(count),
    y: new Float32Array(count).fill(value),
    seriesIndex: new Int32Array(count),
    count,
    windowSize: 1,
    horizon: 1,
  };
}

describe("fitNetwork", () => {
  it("stops after `patience` epochs without improvement and restores the best epoch's weights", () => {
    const { parts, value } = countingParts(0);
    const reports: EpochReport[] = [];
    // One batch per epoch, so the parameter is the epoch number; validation loss is (epoch - 3)².
    const result = fitNetwork(parts, targets(0, 4), targets(3, 4), {
      maxEpochs: 50,
      patience: 2,
      onEpoch: (r) => reports.push(r),
    });
    expect(reports.map((r) => r.validationLoss)).toEqual([4, 1, 0, 1, 4]);
    expect(reports.map((r) => r.improved)).toEqual([true, true, true, false, false]);
    expect(result).toMatchObject({ epochs: 5, bestEpoch: 3, bestValidationLoss: 0 });
    expect(value()).toBe(3);
  });

  it("keeps the starting weights when no epoch beats them", () => {
    const { parts, value } = countingParts(3);
    const result = fitNetwork(parts, targets(0, 4), targets(3, 4), { maxEpochs: 10, patience: 3 });
    expect(result).toMatchObject({ epochs: 3, bestEpoch: 0, bestValidationLoss: 0 });
    expect(value()).toBe(3);
  });

  it("runs every epoch on training loss when there is no validation window", () => {
    const { parts, value } = countingParts(0);
    const result = fitNetwork(parts, targets(0, 4), targets(0, 0), { maxEpochs: 4, patience: 1 });
    // Training loss is measured during each epoch (before its step): 0, 1, 4, 9; epoch 1 stays best.
    expect(result.history.map((r) => r.trainLoss)).toEqual([0, 1]);
    expect(result.bestEpoch).toBe(1);
    expect(value()).toBe(1);
  });

  it("stops at max_steps, inside an epoch, with that epoch's loss over the batches it ran", () => {
    const { parts, value } = countingParts(0);
    // 20 windows at batch 8: 3 steps an epoch; 7 steps end the third epoch after its first batch
    const result = fitNetwork(parts, targets(10, 20), targets(100, 4), {
      maxEpochs: 50,
      patience: 50,
      maxSteps: 7,
    });
    expect(result).toMatchObject({ epochs: 3, steps: 7 });
    expect(value()).toBe(7);
    // epoch 3's one batch saw the parameter at 6: loss (6 - 10)²
    expect(result.history[2].trainLoss).toBe(16);
  });
});
