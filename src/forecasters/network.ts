import { FEATURE_USES } from "../features/index.ts";
import { levelQuantiles } from "../intervals/index.ts";
import { exportOnnx, packInputRows } from "../model/index.ts";
import { enginePredictor, trainModel } from "../train/train-model.ts";
import { quantileBandForecast } from "./quantile-bands.ts";
import { workerCount } from "./statistical.ts";
import type { FitContext, FittedMember, Member, MemberName } from "./types.ts";
import { featureWindowForecast, windowForecast, windowInputStd } from "./window.ts";

const PREDICT_CHUNK = 256;

/**
 * The network of `model.architecture` trained by the engine: alone (`network`), or on top of the linear map
 * (`network_on_linear`: the highway starts at the ridge solution and the recurrent head at zero). The first fit
 * (early stopping on the validation windows) forecasts the cross-validation origins; the refit, the future.
 * With features, the network reads each window's (`spec.features`) and its ONNX graph takes them.
 */
function networkMember(name: MemberName, highway: boolean): Member {
  return {
    name,
    fit(series, { config, split, progress, features }: FitContext): FittedMember {
      const bar = progress?.(name, config.train.max_epochs);
      // The window and horizon are the panel's (a backtest sizes them), not necessarily the config file's.
      const sized = {
        ...config,
        data: { ...config.data, window_size: split.windowSize, horizon: split.horizon },
        model: { ...config.model, kernel_size: Math.min(config.model.kernel_size, split.windowSize) },
      };
      let trained: ReturnType<typeof trainModel>;
      try {
        trained = trainModel([...series], sized, {
          highway,
          validationLength: split.validationLength,
          // A global network shares its batches over the threads; a per-series one is one unit of many,
          // which run side by side already.
          threads: config.train.scope === "global" ? workerCount(config.train.workers) : 1,
          quantiles: config.model.quantile_head ? headQuantiles(config.model.levels) : undefined,
          features,
          onEpoch: bar && ((report) => bar.onEpoch(report)),
        });
      } finally {
        bar?.stop();
      }
      const { windowSize, horizon } = trained.spec;
      const forecast = (network: typeof trained.network) => {
        const predict = enginePredictor(network, PREDICT_CHUNK);
        if (!features) return windowForecast(predict, trained.scaler, windowSize, horizon);
        return featureWindowForecast(
          (x, cov, count) => predict(packInputRows(network.spec, x, cov, count), count),
          trained.scaler,
          features,
          windowSize,
          horizon,
        );
      };
      const params = new Map(trained.network.params.map((p) => [p.name, p.data]));
      return {
        name,
        beforeValidation: forecast(trained.firstFit),
        onAll: forecast(trained.network),
        ...(trained.spec.quantiles
          ? {
              headBands: {
                beforeValidation: quantileBandForecast(trained.firstFit, trained.scaler, features),
                onAll: quantileBandForecast(trained.network, trained.scaler, features),
              },
            }
          : {}),
        window: {
          windowSize,
          spec: { ...trained.spec },
          inputStd: windowInputStd(trained.scaler, windowSize),
          onnx: () => exportOnnx(trained.spec, params, { docString: `salescast ${name}` }),
        },
        training: {
          epochs: trained.fit.epochs,
          best_epoch: trained.fit.bestEpoch,
          refit_epochs: trained.refitEpochs,
          train_windows: trained.trainWindows,
          validation_windows: trained.validationWindows,
          seconds: trained.seconds,
          ...(trained.featureUse ? { feature_use: FEATURE_USES.indexOf(trained.featureUse) } : {}),
        },
      };
    },
  };
}

/** The quantiles a head needs for `levels`; none for no levels (a head of the median alone would be the point). */
function headQuantiles(levels: readonly number[]): number[] | undefined {
  return levels.length > 0 ? levelQuantiles(levels) : undefined;
}

export const network = networkMember("network", false);
export const networkOnLinear = networkMember("network_on_linear", true);
