export {
  type Band,
  bandAround,
  type ConformalScores,
  conformalQuantile,
  conformalScores,
  historyScale,
  MAX_SAVED_SCORES,
  POOL_WEIGHT,
  pooledQuantiles,
  quantilesFromPooled,
  seriesQuantiles,
  thinnedScores,
} from "./conformal.ts";
export { halfWidths, headScaledBand, headScaledScores } from "./head-scaled.ts";
export {
  checkedLevels,
  LevelError,
  levelKey,
  levelQuantiles,
  levelsFromText,
  MAX_LEVELS,
} from "./levels.ts";
export { averageIntervalMetrics, type IntervalMetrics, intervalMetrics } from "./score.ts";
