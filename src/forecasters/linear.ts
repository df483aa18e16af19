import { fitSeriesNormalization, type Series, scalerFor, windowSources } from "../data/index.ts";
import { FEATURE_USES, type SeriesFeatures } from "../features/index.ts";
import { exportCovariateLinearOnnx, exportLinearOnnx } from "../model/index.ts";
import { chooseRidge, type LinearMap, NormalEquations } from "../train/linear-warm-start.ts";
import {
  type CovariateLinearMap,
  chooseCovariateLinear,
  concatCovariateWindows,
  covariateWindowSets,
  fitCovariateLinear,
  mapShape,
  predictCovariateLinear,
} from "./linear-covariates.ts";
import type { FitContext, FittedMember, Member } from "./types.ts";
import { featureWindowForecast, windowForecast, windowInputStd } from "./window.ts";

/** `[count, windowSize]` scaled windows through the map. */
function linearPredictor(map: LinearMap, windowSize: number, horizon: number) {
  return (x: Float32Array, count: number) => {
    const y = new Float32Array(count * horizon);
    for (let row = 0; row < count; row++) {
      for (let k = 0; k < horizon; k++) {
        let sum = map.bias[k];
        for (let t = 0; t < windowSize; t++) sum += map.weight[k * windowSize + t] * x[row * windowSize + t];
        y[row * horizon + k] = sum;
      }
    }
    return y;
  };
}

/**
 * Ridge regression of every horizon step on the scaled window, pooled over the series: the penalty is the one
 * whose map, fitted on the training windows, forecasts the validation windows best; the final map is fitted on
 * all windows with that penalty. The normal equations are summed in one pass, training windows then validation.
 */
export const linear: Member = {
  name: "linear",
  fit(series: readonly Series[], context: FitContext): FittedMember {
    if (context.features) return fitWithFeatures(series, context, context.features);
    const { config, split } = context;
    const { windowSize, horizon } = split;
    const scaler = scalerFor(config.data.normalization, fitSeriesNormalization(series, split));
    // windows drawn one at a time into the sums: memory does not grow with the number of windows
    const { train, validation } = windowSources(series, scaler, split);
    if (train.count === 0) throw new RangeError("the linear member has no training window");
    const equations = new NormalEquations(windowSize, horizon).add(train);
    const ridge = chooseRidge(equations, validation);
    const first = equations.solve(ridge);
    const final = validation.count > 0 ? equations.add(validation).solve(ridge) : first;
    const spec = { architecture: "linear" as const, windowSize, horizon };
    return {
      name: "linear",
      beforeValidation: windowForecast(
        linearPredictor(first, windowSize, horizon),
        scaler,
        windowSize,
        horizon,
      ),
      onAll: windowForecast(linearPredictor(final, windowSize, horizon), scaler, windowSize, horizon),
      window: {
        windowSize,
        spec: { ...spec, ridge },
        inputStd: windowInputStd(scaler, windowSize),
        onnx: () => exportLinearOnnx(spec, final.weight, final.bias, { docString: "salescast linear" }),
      },
      training: { ridge, train_windows: train.count, validation_windows: validation.count },
    };
  },
};

/**
 * The linear member with regressors: the features at each forecast step (known-future) and at the window's
 * end (past-only), and whether to use them at all, chosen with the penalty on the validation windows.
 */
function fitWithFeatures(series: readonly Series[], { config, split }: FitContext, features: SeriesFeatures) {
  const { windowSize, horizon } = split;
  const scaler = scalerFor(config.data.normalization, fitSeriesNormalization(series, split));
  const { train, validation } = covariateWindowSets(series, scaler, features, split);
  if (train.count === 0) throw new RangeError("the linear member has no training window");
  const { knownFuture, names } = features.layout;
  const choice = chooseCovariateLinear(train, validation, windowSize, horizon, knownFuture);
  const shape = mapShape(windowSize, horizon, knownFuture, choice.use);
  const first = fitCovariateLinear(train, shape, choice.ridge);
  const final =
    validation.count > 0
      ? fitCovariateLinear(concatCovariateWindows(train, validation), shape, choice.ridge)
      : first;
  const forecast = (map: CovariateLinearMap) =>
    featureWindowForecast(
      (x, cov, count) => predictCovariateLinear(map, windowSize, horizon, names.length, x, cov, count),
      scaler,
      features,
      windowSize,
      horizon,
    );
  const spec = { architecture: "linear" as const, windowSize, horizon, features: names.length };
  return {
    name: "linear" as const,
    beforeValidation: forecast(first),
    onAll: forecast(final),
    window: {
      windowSize,
      spec: { ...spec, ridge: choice.ridge, feature_use: choice.use },
      inputStd: windowInputStd(scaler, windowSize),
      onnx: () => exportCovariateLinearOnnx(spec, final, { docString: "salescast linear" }),
    },
    training: {
      ridge: choice.ridge,
      feature_use: FEATURE_USES.indexOf(choice.use),
      train_windows: train.count,
      validation_windows: validation.count,
    },
  };
}
