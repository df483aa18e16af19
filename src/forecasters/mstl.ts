import { MSTL } from "./augurs.ts";
import type { PerSeriesModel } from "./statistical-models.ts";

/** Seasonal periods need two full cycles of history to be estimated. */
const CYCLES_NEEDED = 2;

/**
 * MSTL (multiple seasonal-trend decomposition by Loess) with an AutoETS trend, from augurs: the data's season
 * when the history holds two cycles of it; none otherwise.
 */
export function mstlModel(length: number, season: number): PerSeriesModel {
  const periods = length >= CYCLES_NEEDED * season && season > 1 ? [season] : [];
  return MSTL.ets(periods);
}
