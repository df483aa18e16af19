import { fitSeriesNormalization, type Series, scalerFor, windowSources } from "../data/index.ts";
import { exportLinearOnnx } from "../model/index.ts";
import { chooseRidge, type LinearMap, NormalEquations } from "../train/linear-warm-start.ts";
import type { FitContext, FittedMember, Member } from "./types.ts";
import { windowForecast } from "./window.ts";

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
  fit(series: readonly Series[], { config, split }: FitContext): FittedMember {
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
        onnx: () => exportLinearOnnx(spec, final.weight, final.bias, { docString: "salescast linear" }),
      },
      training: { ridge, train_windows: train.count, validation_windows: validation.count },
    };
  },
};
