import { naiveForecast, seasonalNaiveForecast } from "../metrics/index.ts";
import type { ForecastFunction, Member } from "./types.ts";

/** The last value, repeated: nothing to learn. */
export const naive: Member = {
  name: "naive",
  fit() {
    const forecast: ForecastFunction = async (requests, horizon) =>
      requests.map(({ history }) => naiveForecast(history, horizon));
    return { name: "naive", beforeValidation: forecast, onAll: forecast };
  },
};

/** The last season, repeated: nothing to learn. */
export const seasonalNaive: Member = {
  name: "seasonal_naive",
  fit(_series, { season }) {
    const forecast: ForecastFunction = async (requests, horizon) =>
      requests.map(({ history }) => seasonalNaiveForecast(history, horizon, season));
    return { name: "seasonal_naive", beforeValidation: forecast, onAll: forecast };
  },
};
