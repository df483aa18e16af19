import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ARTIFACT_FORMAT_VERSION, saveArtifact } from "../../src/artifact/index.ts";
import { SalesForecaster } from "../../src/forecast/index.ts";
import { type CnnLstmSpec, cnnLstmParamShapes, exportOnnx, sizeOf } from "../../src/model/index.ts";

const root = mkdtempSync(join(tmpdir(), "salescast-epsilon-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// A network whose output is only its highway: every other weight is 0, so the LSTM's state stays 0 and the
// forecast is highway.weight · x' + highway.bias, which is easy to compute by hand.
const spec: CnnLstmSpec = {
  architecture: "cnn_lstm",
  windowSize: 3,
  horizon: 1,
  convChannels: 1,
  kernelSize: 1,
  lstmHidden: 1,
  lstmLayers: 1,
  highway: true,
};

function saveHighwayModel(inputStdEpsilon: number | undefined): string {
  const params = new Map(
    cnnLstmParamShapes(spec).map(({ name, shape }) => [name, new Float32Array(sizeOf(shape))]),
  );
  params.set("highway.weight", Float32Array.from([1, 2, 3]));
  params.set("highway.bias", Float32Array.from([0.5]));
  const unmeasured = { mae: null, rmse: null, smape: null, mase: null };
  const stats = { mean: 0, std: 0.5 };
  return saveArtifact(root, {
    onnx: exportOnnx(spec, params),
    forecasts: null,
    normalization: {
      default: stats,
      series: {},
      ...(inputStdEpsilon === undefined ? {} : { input_std_epsilon: inputStdEpsilon }),
    },
    meta: {
      format_version: ARTIFACT_FORMAT_VERSION,
      name: "global",
      scope: "global",
      series: [],
      frequency: "D",
      window_size: 3,
      horizon: 1,
      season: 7,
      spec: { ...spec },
      config: {},
      validation: { model: unmeasured, naive: unmeasured, seasonal_naive: unmeasured },
      training: { epochs: 0, best_epoch: 0, seconds: 0, train_windows: 0, validation_windows: 0 },
    },
  }).folder;
}

describe("normalization.json's input_std_epsilon", () => {
  it("scales the input by std + epsilon and the output back by std alone", async () => {
    const forecaster = await SalesForecaster.load(saveHighwayModel(0.5));
    // x' = [1, 2, 3] / (0.5 + 0.5); y' = 1 + 4 + 9 + 0.5 = 14.5; y = 14.5 * 0.5 + 0
    expect((await forecaster.predict([1, 2, 3])).predicted_sales).toBeCloseTo(7.25, 5);
    await forecaster.close();
  });

  it("is 0 when absent: the input is scaled by std, as before", async () => {
    const forecaster = await SalesForecaster.load(saveHighwayModel(undefined));
    // x' = [1, 2, 3] / 0.5 = [2, 4, 6]; y' = 2 + 8 + 18 + 0.5 = 28.5; y = 28.5 * 0.5
    expect((await forecaster.predict([1, 2, 3])).predicted_sales).toBeCloseTo(14.25, 5);
    await forecaster.close();
  });

  it("must not be negative: such an artifact is refused on load, naming the field", async () => {
    await expect(SalesForecaster.load(saveHighwayModel(-1))).rejects.toThrow(
      "input_std_epsilon: must be >= 0",
    );
  });
});
