export { type BacktestOptions, type BacktestReport, backtest } from "./backtest.ts";
export { type EpochReport, type FitResult, fitNetwork } from "./loop.ts";
export { type EpochProgress, epochProgress, silentProgress } from "./progress.ts";
export { type TrainRunResult, trainFromConfig } from "./run.ts";
export { saveEnsembleModel } from "./save.ts";
export { resolveSeason } from "./season.ts";
export { specFromConfig, type TrainedModel, trainModel } from "./train-model.ts";
