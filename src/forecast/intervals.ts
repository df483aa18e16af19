import type { Calibration, StoredForecasts } from "../artifact/index.ts";
import {
  type Band,
  bandAround,
  headScaledBand,
  levelKey,
  pooledQuantiles,
  quantilesFromPooled,
  seriesQuantiles,
} from "../intervals/index.ts";
import { ForecastInputError } from "./input-error.ts";

/** Bands by level name (`"80"`), one lower and upper bound per step. */
export type Intervals = Record<string, Band>;

/** Said in an answer without intervals, instead of making bands up. */
export const NO_CALIBRATION_NOTE =
  "this model has no interval calibration (it was saved before intervals existed, imported, or trained " +
  "on series too short for a cross-validation origin): train a new version on longer history for intervals";

/** Scores at every step: a model without cross-validation origins has none to make bands from. */
export function hasScores(steps: readonly (readonly number[])[]): boolean {
  return steps.length > 0 && steps.every((step) => step.length > 0);
}

/**
 * Intervals of the window routes from a model's calibration: per level, the window member's pooled score
 * quantiles (cached, one array per level) times the std that scaled the request's window.
 */
export class WindowIntervals {
  private readonly quantiles = new Map<number, number[]>();

  constructor(private readonly calibration: Calibration) {}

  bands(point: readonly number[], std: number, levels: readonly number[], clipNegative: boolean): Intervals {
    return Object.fromEntries(
      levels.map((level) => [levelKey(level), bandAround(point, this.quantilesAt(level), std, clipNegative)]),
    );
  }

  private quantilesAt(level: number): number[] {
    let quantiles = this.quantiles.get(level);
    if (quantiles === undefined) {
      quantiles = seriesQuantiles({ pooled: this.calibration.window, series: [] }, null, level);
      // Levels come from requests: keep the cache from growing without bound.
      if (this.quantiles.size < 64) this.quantiles.set(level, quantiles);
    }
    return quantiles;
  }
}

/** At one level, a calibration's pooled quantiles, and the quantiles of a series without scores of its own. */
interface LevelQuantiles {
  pooled: number[];
  withoutOwn: number[];
}

/**
 * Per calibration (one per loaded model) and level, what every series' bands share: an export of every series
 * computed the pooled quantiles again for each, and most series have no scores of their own (only a sample is
 * cross-validated), so their quantiles are the same.
 */
const sharedQuantiles = new WeakMap<Calibration, Map<number, LevelQuantiles>>();

function levelQuantilesOf(calibration: Calibration, level: number): LevelQuantiles {
  let byLevel = sharedQuantiles.get(calibration);
  if (byLevel === undefined) {
    byLevel = new Map();
    sharedQuantiles.set(calibration, byLevel);
  }
  let quantiles = byLevel.get(level);
  if (quantiles === undefined) {
    const pooled = pooledQuantiles(calibration.pooled, level);
    quantiles = { pooled, withoutOwn: quantilesFromPooled(pooled, null, level) };
    // Levels come from requests: keep the cache from growing without bound.
    if (byLevel.size < 64) byLevel.set(level, quantiles);
  }
  return quantiles;
}

const hasOwnScores = (scores: readonly (readonly number[])[]) => scores.some((step) => step.length > 0);

/**
 * A stored series' intervals around its stored forecast (`point`, cut to the asked steps): the ensemble's
 * pooled score quantiles scaled by the series' own factor and its scale, or for a head-scaled calibration its
 * head half-widths times the level's quantile. Null for a model without calibration.
 */
export function storedIntervals(
  stored: StoredForecasts,
  seriesId: string,
  point: ArrayLike<number>,
  levels: readonly number[],
  clipNegative: boolean,
): Intervals | null {
  const entry = stored.series[seriesId];
  const { calibration } = stored;
  if (calibration === undefined || entry?.interval === undefined) return null;
  if (calibration.head_scaled)
    return headScaledIntervals(calibration.head_scaled, entry.interval, point, levels, clipNegative);
  if (!hasScores(calibration.pooled)) return null;
  const { scale, scores } = entry.interval;
  const own = hasOwnScores(scores);
  const bands: Intervals = {};
  for (const level of levels) {
    const shared = levelQuantilesOf(calibration, level);
    const quantiles = own ? quantilesFromPooled(shared.pooled, scores, level) : shared.withoutOwn;
    bands[levelKey(level)] = bandAround(point, quantiles, scale, clipNegative);
  }
  return bands;
}

type HeadScaledCalibration = NonNullable<Calibration["head_scaled"]>;

/**
 * Checks asked levels against a model's calibration: a conformal one gives any level, a head-scaled one the
 * levels it was calibrated for, and another level is a ForecastInputError naming those it can.
 */
export function checkHeadScaledLevels(calibration: Calibration | undefined, levels: readonly number[]): void {
  const given = calibration?.head_scaled?.quantiles;
  if (given === undefined) return;
  const missing = levels.filter((level) => !Object.hasOwn(given, levelKey(level)));
  if (missing.length > 0) {
    throw new ForecastInputError(
      `level: this model's stored forecasts give the levels ${Object.keys(given).join(", ")}, not ${missing.map(levelKey).join(", ")}`,
      "level",
    );
  }
}

function headScaledIntervals(
  headScaled: HeadScaledCalibration,
  interval: NonNullable<StoredForecasts["series"][string]["interval"]>,
  point: ArrayLike<number>,
  levels: readonly number[],
  clipNegative: boolean,
): Intervals | null {
  const bands: Intervals = {};
  for (const level of levels) {
    const key = levelKey(level);
    const widths = interval.widths?.[key];
    const quantile = headScaled.quantiles[key];
    if (widths === undefined || quantile === undefined) return null;
    bands[key] = headScaledBand(point, widths, quantile, clipNegative);
  }
  return bands;
}
