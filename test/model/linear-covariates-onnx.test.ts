import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { predictCovariateLinear } from "../../src/forecasters/linear-covariates.ts";
import { COVARIATES_INPUT_NAME, exportCovariateLinearOnnx, Rng } from "../../src/model/index.ts";

const spec = { architecture: "linear" as const, windowSize: 3, horizon: 2, features: 2 };

async function runOnnx(bytes: Uint8Array, x: Float32Array, cov: Float32Array, count: number) {
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run({
    input: new ort.Tensor("float32", x, [count, spec.windowSize]),
    [COVARIATES_INPUT_NAME]: new ort.Tensor("float32", cov, [
      count,
      spec.windowSize + spec.horizon,
      spec.features,
    ]),
  });
  return out.output.data as Float32Array;
}

describe("the linear map with covariates in ONNX", () => {
  // feature 0 known ahead (weights in `future`), feature 1 past-only (weights in `past`)
  const weights = {
    weight: Float32Array.from([1, 0, 0.5, 0, 2, 0]),
    bias: Float32Array.from([10, 20]),
    future: Float32Array.from([3, 0, -1, 0]),
    past: Float32Array.from([0, 7, 0, 0.25]),
  };

  it("reads step k's own period for known-future features and the window's last for past-only ones", async () => {
    const x = Float32Array.from([1, 2, 4]);
    // rows: window t=0,1,2 then horizon k=0,1; columns [known, past-only]
    const cov = Float32Array.from([0, 100, 0, 200, 0, 4, 5, 999, 6, 999]);
    const y = await runOnnx(exportCovariateLinearOnnx(spec, weights), x, cov, 1);
    // step 0: 1·1 + 0.5·4 + 10 + 3·5 + 7·4 = 56; step 1: 2·2 + 20 − 1·6 + 0.25·4 = 19
    expect(Array.from(y)).toEqual([56, 19]);
  });

  it("agrees with the member's own predictor on random batches", async () => {
    const rng = new Rng(42);
    const count = 17;
    const x = Float32Array.from({ length: count * 3 }, () => rng.normal());
    const cov = Float32Array.from({ length: count * 5 * 2 }, () => rng.normal());
    const random = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
    const map = { weight: random(6), bias: random(2), future: random(4), past: random(4) };
    const onnxOut = await runOnnx(exportCovariateLinearOnnx(spec, map), x, cov, count);
    const engine = predictCovariateLinear(map, 3, 2, 2, x, cov, count);
    for (let i = 0; i < engine.length; i++) expect(onnxOut[i]).toBeCloseTo(engine[i], 5);
  });

  it("refuses weights of the wrong size, naming them", () => {
    expect(() => exportCovariateLinearOnnx(spec, { ...weights, past: new Float32Array(3) })).toThrow(
      "linear.past has 3 values, expected 4",
    );
  });
});
