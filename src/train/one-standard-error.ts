/** A model's mean validation loss over windows, and the standard error of that mean. */
export interface LossSpread {
  mean: number;
  standardError: number;
}

/**
 * The one-standard-error rule: of models listed simplest first, the index of the first whose mean loss is
 * within one standard error of the lowest mean's, so a lead that noise could reverse goes to the simpler one.
 */
export function simplestWithinOneError(spreads: readonly LossSpread[]): number {
  if (spreads.length === 0) throw new RangeError("no model to choose from");
  const best = spreads.reduce((low, one) => (one.mean < low.mean ? one : low));
  return spreads.findIndex((one) => one.mean <= best.mean + best.standardError);
}

/** The spread of per-window losses: their mean and its standard error. */
export function lossSpread(losses: ArrayLike<number>): LossSpread {
  const n = losses.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += losses[i];
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (losses[i] - mean) ** 2;
  return { mean, standardError: Math.sqrt(squares / Math.max(n - 1, 1) / n) };
}
