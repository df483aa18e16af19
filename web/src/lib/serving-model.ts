import type { Health, ServingModel } from "../api/types.ts";

/**
 * The loaded model that forecasts a series, as the server picks it: the series' own model ("series:<id>"),
 * else the global model when it has that series' statistics.
 */
export function servingModelFor(health: Health, seriesId: string): ServingModel | undefined {
  return (
    health.models.find((model) => model.name === `series:${seriesId}`) ??
    health.models.find((model) => model.name === "global" && model.series.includes(seriesId))
  );
}
