import { describe, expect, it } from "vitest";
import { type CnnLstmSpec, createCnnLstm, type Network, Rng } from "../../src/model/index.ts";
import { backwardMse, gradientMismatch } from "./central-difference.ts";

// Small but ragged: 5 steps, 4 channels, 6 hidden units (so 24 gate rows), batch 3, two layers, 3 outputs.
const SPEC: CnnLstmSpec = {
  architecture: "cnn_lstm",
  windowSize: 9,
  horizon: 3,
  convChannels: 4,
  kernelSize: 5,
  lstmHidden: 6,
  lstmLayers: 2,
};
const BATCH = 3;
// The network computes in float32, so each loss carries rounding noise near 1e-7 of its size; a step this
// large keeps that noise small against the slope, while the truncation error (order STEP²) stays near 1e-4.
const STEP = 3e-2;
const COORDINATES_PER_TENSOR = 12;
const TOLERANCE = 1e-2;

/**
 * Moves each conv channel's bias so that its ReLU kink sits in the middle of the widest gap between the
 * channel's pre-activations over the batch. A finite-difference step that crossed the kink would measure
 * a one-sided slope; returns the distance left between the kink and the nearest pre-activation.
 */
function centerReluKinks(network: Network, x: Float32Array): number {
  const { windowSize: window, convChannels: channels, kernelSize: kernel } = SPEC;
  const [weight, bias] = network.params;
  let margin = Number.POSITIVE_INFINITY;
  for (let c = 0; c < channels; c++) {
    const pre: number[] = [];
    for (let b = 0; b < BATCH; b++) {
      for (let t = 0; t + kernel <= window; t++) {
        let sum = bias.data[c];
        for (let k = 0; k < kernel; k++) sum += weight.data[c * kernel + k] * x[b * window + t + k];
        pre.push(sum);
      }
    }
    pre.sort((p, q) => p - q);
    let widest = 0;
    for (let i = 1; i < pre.length; i++) {
      if (pre[i] - pre[i - 1] > pre[widest + 1] - pre[widest]) widest = i - 1;
    }
    const middle = (pre[widest] + pre[widest + 1]) / 2;
    bias.data[c] -= middle;
    margin = Math.min(margin, (pre[widest + 1] - pre[widest]) / 2);
  }
  return margin;
}

describe("CNN-LSTM gradients against central finite differences", () => {
  it.each([false, true])(
    "agree for every parameter tensor (2 layers, kernel 5, horizon 3, highway %s)",
    (highway) => {
      const rng = new Rng(11);
      const network = createCnnLstm({ ...SPEC, highway }, rng);
      const x = Float32Array.from({ length: BATCH * SPEC.windowSize }, () => rng.uniformRange(-1, 1));
      const y = Float32Array.from({ length: BATCH * SPEC.horizon }, () => rng.normal());
      // A step moves a conv pre-activation by at most STEP (bias) or STEP · |x| < STEP (weight, |x| < 1).
      expect(centerReluKinks(network, x)).toBeGreaterThan(STEP);

      const loss = backwardMse(network, x, y, BATCH);

      expect(network.params.some((p) => p.name === "highway.weight")).toBe(highway);
      for (const param of network.params) {
        const picks = Math.min(COORDINATES_PER_TENSOR, param.data.length);
        const indices = rng.shuffle(Array.from({ length: param.data.length }, (_, i) => i)).slice(0, picks);
        const { error, norm } = gradientMismatch(param, indices, STEP, loss);
        expect(norm, `${param.name} has a gradient to check`).toBeGreaterThan(0);
        expect(error, param.name).toBeLessThan(TOLERANCE);
      }
    },
  );
});
