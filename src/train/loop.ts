import type { Batch, Windows } from "../data/index.ts";
import type { Network } from "../model/spec.ts";

export interface LoopParts {
  network: Network;
  /** Applies one update from the gradients in `network.params`. */
  step(): void;
  /** Mean loss over the first `count` elements of `output` against `target`; writes dLoss/dOutput when given. */
  loss(output: Float32Array, target: Float32Array, count: number, dOutput?: Float32Array): number;
  /** Training batches of one epoch, in the (seeded) order the loop should see them. */
  batches(set: Windows): Iterable<Batch>;
  /** Evaluation batches, unshuffled. */
  evaluationBatches(set: Windows): Iterable<Batch>;
}

export interface EpochReport {
  epoch: number;
  trainLoss: number;
  validationLoss: number;
  improved: boolean;
}

export interface FitOptions {
  maxEpochs: number;
  patience: number;
  /** Optimizer steps in all, over every epoch (0: no bound); the epoch that reaches it is the last. */
  maxSteps?: number;
  onEpoch?: (report: EpochReport) => void;
}

export interface FitResult {
  epochs: number;
  steps: number;
  bestEpoch: number;
  bestValidationLoss: number;
  history: EpochReport[];
}

/** Mean loss over a set, without touching gradients. */
export function evaluateLoss(parts: LoopParts, set: Windows): number {
  let total = 0;
  let count = 0;
  for (const batch of parts.evaluationBatches(set)) {
    const output = parts.network.forward(batch.x, batch.size);
    total += parts.loss(output, batch.y, batch.size * set.horizon) * batch.size;
    count += batch.size;
  }
  return count === 0 ? Number.NaN : total / count;
}

function snapshot(network: Network): Float32Array[] {
  return network.params.map((p) => p.data.slice());
}

function restore(network: Network, saved: Float32Array[]): void {
  network.params.forEach((p, i) => {
    p.data.set(saved[i]);
  });
}

/**
 * Epochs of minibatch training with early stopping on validation loss, bounded by epochs and by optimizer
 * steps; the weights of the best epoch are restored at the end. Without validation windows, the training
 * loss decides.
 */
export function fitNetwork(
  parts: LoopParts,
  train: Windows,
  validation: Windows,
  options: FitOptions,
): FitResult {
  const { network } = parts;
  const history: EpochReport[] = [];
  let dOutput = new Float32Array(0);
  // Epoch 0 is the starting point: a warm-started network that training only worsens is kept as it was.
  const initialLoss = validation.count > 0 ? evaluateLoss(parts, validation) : Number.POSITIVE_INFINITY;
  let best = { loss: initialLoss, epoch: 0, weights: snapshot(network) };
  const maxSteps = options.maxSteps || Number.POSITIVE_INFINITY;
  let steps = 0;
  for (let epoch = 1; epoch <= options.maxEpochs && steps < maxSteps; epoch++) {
    let total = 0;
    let seen = 0;
    for (const batch of parts.batches(train)) {
      if (steps >= maxSteps) break;
      const needed = batch.size * train.horizon;
      if (dOutput.length < needed) dOutput = new Float32Array(needed);
      network.zeroGrad();
      const output = network.forward(batch.x, batch.size);
      total += parts.loss(output, batch.y, needed, dOutput) * batch.size;
      network.backward(dOutput.subarray(0, needed));
      parts.step();
      steps++;
      seen += batch.size;
    }
    const trainLoss = total / seen;
    const validationLoss = validation.count > 0 ? evaluateLoss(parts, validation) : trainLoss;
    const improved = validationLoss < best.loss;
    if (improved) best = { loss: validationLoss, epoch, weights: snapshot(network) };
    const report = { epoch, trainLoss, validationLoss, improved };
    history.push(report);
    options.onEpoch?.(report);
    if (epoch - best.epoch >= options.patience) break;
  }
  restore(network, best.weights);
  return { epochs: history.length, steps, bestEpoch: best.epoch, bestValidationLoss: best.loss, history };
}
