/**
 * Head-scaled conformal bands: a quantile head's band (a network member's, at one level) says how uncertain
 * each step of each forecast is; the ensemble's band is its own point ± q times the head's half-width there,
 * with q the conformal quantile of the ensemble's errors over the head's half-widths at the cross-validation
 * origins. The head sees the window it forecasts from (a holiday season a year back, a volatile stretch), so
 * errors divided by its widths stay comparable from one stretch of the history to another, where errors
 * divided by one scale per series do not; and since its widths already grow with the step, one quantile over
 * every step and series is enough, which a few series with few origins can give.
 */

import { type Band, bandAround } from "./conformal.ts";

/** A band's half-width per step, `(upper − lower) / 2`. */
export function halfWidths(band: Band): number[] {
  return band.upper.map((upper, h) => (upper - band.lower[h]) / 2);
}

/**
 * The scores of forecasts at the origins: `|actual − forecast| / half-width` over every series `s`, origin `k`
 * and step, ascending; `widths[s][k]` the head's half-widths there. A step with a zero width is left out. A
 * level's factor of the widths is these scores' conformalQuantile.
 */
export function headScaledScores(
  actuals: readonly (readonly ArrayLike<number>[])[],
  forecasts: readonly (readonly ArrayLike<number>[])[],
  widths: readonly (readonly (readonly number[])[])[],
): Float64Array {
  const scores: number[] = [];
  actuals.forEach((list, s) => {
    list.forEach((actual, k) => {
      for (let h = 0; h < actual.length; h++) {
        const score = Math.abs(actual[h] - forecasts[s][k][h]) / widths[s][k][h];
        if (Number.isFinite(score)) scores.push(score);
      }
    });
  });
  // typed, so that the sort is numeric without a comparator
  return Float64Array.from(scores).sort();
}

/** The band `point ± quantile · widths`, lower bounds raised to 0 when forecasts are clipped. */
export function headScaledBand(
  point: ArrayLike<number>,
  widths: readonly number[],
  quantile: number,
  clipNegative: boolean,
): Band {
  // bandAround's half-widths are its quantiles times one scale: here the widths times the one quantile
  return bandAround(point, widths, quantile, clipNegative);
}
