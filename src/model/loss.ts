/**
 * Mean squared error over the first `count` elements; when `dPrediction` is given (and not empty), writes
 * dLoss/dPrediction into it. Sums in double, so the loss of a large batch keeps its precision.
 */
export function mseLoss(
  prediction: Float32Array,
  target: Float32Array,
  count: number,
  dPrediction?: Float32Array,
): number {
  if (prediction.length < count || target.length < count) {
    throw new RangeError(
      `mseLoss: ${count} elements asked, prediction has ${prediction.length}, target ${target.length}`,
    );
  }
  const writeGradient = dPrediction !== undefined && dPrediction.length > 0;
  if (writeGradient && dPrediction.length < count) {
    throw new RangeError(`mseLoss: dPrediction has ${dPrediction.length} elements, ${count} needed`);
  }
  let sum = 0;
  const scale = 2 / count;
  for (let i = 0; i < count; i++) {
    const diff = prediction[i] - target[i];
    sum += diff * diff;
    if (writeGradient) dPrediction[i] = scale * diff;
  }
  return sum / count;
}

/**
 * Mean pinball loss of quantile forecasts `quantiles` `[rows, Q]` (row-major, Q = `probabilities.length`)
 * against `target` `[rows]`: for probability τ and miss d = y - q, τ·d when d ≥ 0 and (τ - 1)·d below. With
 * `dQuantiles`, writes dLoss/dQuantiles there (the subgradient τ - 1 at a tie). Sums in double.
 */
export function pinballLoss(
  quantiles: Float32Array,
  target: Float32Array,
  probabilities: readonly number[],
  rows: number,
  dQuantiles?: Float32Array,
): number {
  const q = probabilities.length;
  if (quantiles.length < rows * q || target.length < rows) {
    throw new RangeError(
      `pinballLoss: ${rows} rows of ${q} quantiles asked, quantiles has ${quantiles.length}, target ${target.length}`,
    );
  }
  const count = rows * q;
  let sum = 0;
  for (let row = 0; row < rows; row++) {
    const y = target[row];
    for (let j = 0; j < q; j++) {
      const tau = probabilities[j];
      const miss = y - quantiles[row * q + j];
      sum += miss > 0 ? tau * miss : (tau - 1) * miss;
      if (dQuantiles) dQuantiles[row * q + j] = (miss > 0 ? -tau : 1 - tau) / count;
    }
  }
  return sum / count;
}
