import type { Config } from "../config/index.ts";

/**
 * A window for a backtest when the user set none: one season plus half the horizon, so every forecast step
 * sees its value one season back (at least the horizon itself), yet short enough that the shortest series
 * still yields as many training windows as the window is long.
 */
export function backtestWindowSize(season: number, horizon: number, shortestFitLength: number): number {
  const wanted = Math.max(horizon, season + Math.ceil(horizon / 2));
  const room = Math.floor((shortestFitLength - horizon) / 2);
  return Math.max(2, Math.min(wanted, room));
}

/** The config with the window sized for the data, and the kernel kept no wider than the window. */
export function sizedForBacktest(config: Config, season: number, shortestFitLength: number): Config {
  const windowSize = backtestWindowSize(season, config.data.horizon, shortestFitLength);
  return {
    ...config,
    data: { ...config.data, window_size: windowSize },
    model: { ...config.model, kernel_size: Math.min(config.model.kernel_size, windowSize) },
  };
}
