import { AutoETS } from "./augurs.ts";
import type { PerSeriesModel } from "./statistical-models.ts";

/**
 * Longest season AutoETS is given: a seasonal state per period makes long seasons (52 weeks) unstable to fit,
 * as R's ets() also refuses them, so such data get a non-seasonal model.
 */
const MAX_ETS_SEASON = 24;

/** Exponential smoothing with the error, trend and season forms chosen by AICc (AutoETS "ZZZ"), from augurs. */
export function etsModel(length: number, season: number): PerSeriesModel {
  const seasonal = season > 1 && season <= MAX_ETS_SEASON && length >= 2 * season;
  return new AutoETS(seasonal ? season : 1, "ZZZ");
}
