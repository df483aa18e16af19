/** Forecast h steps after `history` by repeating its last value. */
export function naiveForecast(history: ArrayLike<number>, horizon: number): Float64Array {
  const out = new Float64Array(horizon);
  out.fill(history[history.length - 1]);
  return out;
}

/** Forecast h steps after `history` by repeating its last season of length m. */
export function seasonalNaiveForecast(
  history: ArrayLike<number>,
  horizon: number,
  season: number,
): Float64Array {
  const m = Math.min(Math.max(1, season), history.length);
  const out = new Float64Array(horizon);
  for (let i = 0; i < horizon; i++) out[i] = history[history.length - m + (i % m)];
  return out;
}
