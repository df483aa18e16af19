/**
 * The mean of each value and the `window - 1` before it; null where fewer than `window` values exist yet,
 * so the line starts where a full window does.
 */
export function rollingMean(values: readonly number[], window: number): (number | null)[] {
  const result: (number | null)[] = [];
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i];
    if (i >= window) sum -= values[i - window];
    result.push(i >= window - 1 ? sum / window : null);
  }
  return result;
}
