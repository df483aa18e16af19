import { iterateBatches, pickWindows, sampleIndices, type Windows } from "../data/index.ts";
import { Adam, createNetwork, type Network, pinballLoss, Rng } from "../model/index.ts";

/** Training windows the head is fitted on at most: a seeded sample of larger sets. */
const HEAD_WINDOWS = 4096;
/** Passes over them, and the step size: a linear map on fixed features converges in a few hundred steps. */
const HEAD_EPOCHS = 20;
const HEAD_LR = 0.01;
const HEAD_BATCH = 256;

/**
 * `network` with a quantile head for `quantiles` added and fitted by pinball loss on `windows`, the network's
 * own weights copied and frozen: its point forecast stays what it was. The features and points of the
 * (sampled) windows are computed once; the head then trains on them alone. Seeded by `seed`.
 */
export function withQuantileHead(
  network: Network,
  quantiles: readonly number[],
  windows: Windows,
  seed: number,
): Network {
  const rng = new Rng(seed);
  const headed = createNetwork({ ...network.spec, quantiles: [...quantiles] }, rng);
  const trained = new Map(network.params.map((p) => [p.name, p.data]));
  for (const param of headed.params) {
    const data = trained.get(param.name);
    if (data) param.data.set(data);
  }
  const head = headed.quantileHead;
  if (!head) throw new Error("a spec with quantiles makes a network with a quantile head");
  if (windows.count === 0) return headed;
  const { horizon } = network.spec;
  const { width } = head;
  const q = quantiles.length;
  const random = () => rng.uniform();
  const sample = pickWindows(windows, sampleIndices(windows.count, HEAD_WINDOWS, random));
  const features = new Float32Array(sample.count * width);
  const points = new Float32Array(sample.count * horizon);
  const targets = new Float32Array(sample.count * horizon);
  let row = 0;
  for (const batch of iterateBatches(sample, HEAD_BATCH)) {
    points.set(headed.forward(batch.x, batch.size).subarray(0, batch.size * horizon), row * horizon);
    features.set(head.input.subarray(0, batch.size * width), row * width);
    targets.set(batch.y.subarray(0, batch.size * horizon), row * horizon);
    row += batch.size;
  }
  const adam = new Adam(head.params, { lr: HEAD_LR });
  const dQuantiles = new Float32Array(HEAD_BATCH * horizon * q);
  const order = Int32Array.from({ length: sample.count }, (_, i) => i);
  const batchFeatures = new Float32Array(HEAD_BATCH * width);
  const batchPoints = new Float32Array(HEAD_BATCH * horizon);
  const batchTargets = new Float32Array(HEAD_BATCH * horizon);
  for (let epoch = 0; epoch < HEAD_EPOCHS; epoch++) {
    shuffle(order, random);
    for (let start = 0; start < sample.count; start += HEAD_BATCH) {
      const size = Math.min(HEAD_BATCH, sample.count - start);
      for (let i = 0; i < size; i++) {
        const at = order[start + i];
        batchFeatures.set(features.subarray(at * width, (at + 1) * width), i * width);
        batchPoints.set(points.subarray(at * horizon, (at + 1) * horizon), i * horizon);
        batchTargets.set(targets.subarray(at * horizon, (at + 1) * horizon), i * horizon);
      }
      for (const param of head.params) param.grad.fill(0);
      head.forward(batchFeatures, 0, batchPoints, size);
      pinballLoss(head.out, batchTargets, quantiles, size * horizon, dQuantiles);
      head.backward(dQuantiles);
      adam.step();
    }
  }
  return headed;
}

/** Fisher-Yates, in place, from `random`. */
function shuffle(order: Int32Array, random: () => number): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.min(Math.floor(random() * (i + 1)), i);
    [order[i], order[j]] = [order[j], order[i]];
  }
}
