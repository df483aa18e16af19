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
