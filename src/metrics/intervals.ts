/**
 * Interval scores of the accuracy protocol (shared/data/README.md): coverage, the M4 competition's MSIS and
 * the scaled pinball loss, per series; averaged over series like the point metrics.
 */

/** Share of actual values inside [lower, upper] (bounds included). */
export function coverage(
  actual: ArrayLike<number>,
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
): number {
  let inside = 0;
  for (let i = 0; i < actual.length; i++) if (actual[i] >= lower[i] && actual[i] <= upper[i]) inside++;
  return inside / actual.length;
}

/**
 * Mean scaled interval score at `level` percent: the mean over steps of (U − L) + 2/α·(L − y)·[y < L]
 * + 2/α·(y − U)·[y > U], with α = 1 − level/100, divided by `scale`; NaN when the scale is 0 or undefined.
 */
export function msis(
  actual: ArrayLike<number>,
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
  level: number,
  scale: number,
): number {
  if (!(scale > 0)) return Number.NaN;
  const alpha = 1 - level / 100;
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    const y = actual[i];
    sum += upper[i] - lower[i];
    if (y < lower[i]) sum += (2 / alpha) * (lower[i] - y);
    if (y > upper[i]) sum += (2 / alpha) * (y - upper[i]);
  }
  return sum / actual.length / scale;
}

/** Pinball (quantile) loss of forecast quantile `q` (in (0, 1)) averaged over steps. */
export function pinball(actual: ArrayLike<number>, quantile: ArrayLike<number>, q: number): number {
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    const miss = actual[i] - quantile[i];
    sum += miss >= 0 ? q * miss : (q - 1) * miss;
  }
  return sum / actual.length;
}
