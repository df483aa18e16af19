export { naiveForecast, seasonalNaiveForecast } from "./baselines.ts";
export {
  averageMetrics,
  type ErrorMetrics,
  errorMetrics,
  mae,
  mase,
  rmse,
  seasonalNaiveScale,
  smape,
} from "./errors.ts";
