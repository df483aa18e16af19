import type { DataConfig, Frequency } from "../config/index.ts";

const SEASON_OF: Record<Frequency, number> = { D: 7, W: 52, M: 12 };

/** The seasonal period for seasonal naive and MASE: as configured, or the usual one for the frequency. */
export function resolveSeason(season: DataConfig["season"], frequency: Frequency): number {
  return season === "auto" ? SEASON_OF[frequency] : season;
}
