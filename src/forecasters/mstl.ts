import { MSTL } from "./augurs.ts";
import { perSeriesMember } from "./statistical.ts";
import type { Member } from "./types.ts";

/** Seasonal periods need two full cycles of history to be estimated. */
const CYCLES_NEEDED = 2;

/**
 * MSTL (multiple seasonal-trend decomposition by Loess) with an AutoETS trend, from augurs: the data's season
 * when the history holds two cycles of it; none otherwise.
 */
export const mstl: Member = {
  name: "mstl",
  fit(_series, context) {
    return perSeriesMember("mstl", context, (length) => {
      const periods = length >= CYCLES_NEEDED * context.season && context.season > 1 ? [context.season] : [];
      return MSTL.ets(periods);
    });
  },
};
