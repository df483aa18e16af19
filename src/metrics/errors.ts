/** Point-forecast error measures of the accuracy protocol (shared/data/README.md). */

export function mae(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += Math.abs(actual[i] - forecast[i]);
  return sum / actual.length;
}

export function rmse(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += (actual[i] - forecast[i]) ** 2;
  return Math.sqrt(sum / actual.length);
}

/** Symmetric MAPE in percent; a point where actual and forecast are both 0 counts as 0. */
export function smape(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    const denominator = Math.abs(actual[i]) + Math.abs(forecast[i]);
    if (denominator > 0) sum += (200 * Math.abs(actual[i] - forecast[i])) / denominator;
  }
  return sum / actual.length;
}

/** In-sample MAE of the seasonal naive forecast with period m: the MASE scale. */
export function seasonalNaiveScale(history: ArrayLike<number>, season: number): number {
  const m = Math.max(1, season);
  if (history.length <= m) return Number.NaN;
  let sum = 0;
  for (let i = m; i < history.length; i++) sum += Math.abs(history[i] - history[i - m]);
  return sum / (history.length - m);
}

/** MASE, or NaN when the scale is 0 or undefined (such a series is left out of the MASE average). */
export function mase(actual: ArrayLike<number>, forecast: ArrayLike<number>, scale: number): number {
  if (!(scale > 0)) return Number.NaN;
  return mae(actual, forecast) / scale;
}

export interface ErrorMetrics {
  mae: number;
  rmse: number;
  smape: number;
  mase: number;
}

export function errorMetrics(
  actual: ArrayLike<number>,
  forecast: ArrayLike<number>,
  scale: number,
): ErrorMetrics {
  return {
    mae: mae(actual, forecast),
    rmse: rmse(actual, forecast),
    smape: smape(actual, forecast),
    mase: mase(actual, forecast, scale),
  };
}

/** Unweighted mean over series; NaN entries (series without a MASE scale) are left out. */
export function averageMetrics(perSeries: readonly ErrorMetrics[]): ErrorMetrics {
  const mean = (key: keyof ErrorMetrics): number => {
    const values = perSeries.map((m) => m[key]).filter((v) => Number.isFinite(v));
    return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
  };
  return { mae: mean("mae"), rmse: mean("rmse"), smape: mean("smape"), mase: mean("mase") };
}
