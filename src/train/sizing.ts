import type { Config } from "../config/index.ts";

/**
 * A window for a backtest when the user set none: long enough to see a few seasons and twice the horizon,
 * short enough that the shortest series still yields as many training windows as the window is long.
 */
export function backtestWindowSize(season: number, horizon: number, shortestFitLength: number): number {
  const wanted = Math.max(2 * horizon, 4 * season);
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
