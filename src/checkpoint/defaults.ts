/** The original's data: a window of 14 days forecasting the next day, with a weekly season. */
export const ORIGINAL_DEFAULTS = { windowSize: 14, horizon: 1, frequency: "D", season: 7 } as const;
