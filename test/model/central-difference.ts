import { mseLoss, type Network, type Param } from "../../src/model/index.ts";

/**
 * Runs one backward pass of `network`'s mean squared error on `x` and `y` (`batch` rows), leaving the
 * gradients in its parameters, and returns that loss as a function of the current weights.
 */
export function backwardMse(network: Network, x: Float32Array, y: Float32Array, batch: number): () => number {
  const count = batch * network.spec.horizon;
  const dOut = new Float32Array(count);
  network.zeroGrad();
  mseLoss(network.forward(x, batch), y, count, dOut);
  network.backward(dOut);
  return () => mseLoss(network.forward(x, batch), y, count);
}

/**
 * dLoss/d`data[i]` by central differences: `loss` at `data[i] ± step`, over the two values as float32 stores
 * them; `data[i]` is restored after.
 */
export function centralDifference(data: Float32Array, i: number, step: number, loss: () => number): number {
  const original = data[i];
  data[i] = original + step;
  const up = data[i];
  const lossUp = loss();
  data[i] = original - step;
  const down = data[i];
  const lossDown = loss();
  data[i] = original;
  return (lossUp - lossDown) / (up - down);
}

/**
 * The backward pass's gradient of `param` at `indices` against central differences: ‖numeric − analytic‖ /
 * ‖numeric‖ as `error`, and ‖numeric‖ as `norm` (0 would leave nothing checked).
 */
export function gradientMismatch(
  param: Param,
  indices: Iterable<number>,
  step: number,
  loss: () => number,
): { error: number; norm: number } {
  let difference = 0;
  let norm = 0;
  for (const i of indices) {
    const numeric = centralDifference(param.data, i, step, loss);
    difference += (numeric - param.grad[i]) ** 2;
    norm += numeric ** 2;
  }
  return { error: Math.sqrt(difference / norm), norm };
}
