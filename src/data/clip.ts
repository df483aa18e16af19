/**
 * Sales are never negative: with `clipNegative` (`forecast.clip_negative`), every forecast value below 0
 * becomes 0, in place. The one rule for validation, cross-validation, stored forecasts and serving.
 */
export function clipForecast<T extends Float64Array | number[]>(values: T, clipNegative: boolean): T {
  if (clipNegative) for (let i = 0; i < values.length; i++) if (values[i] < 0) values[i] = 0;
  return values;
}
