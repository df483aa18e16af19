import { createParam, initUniform } from "./param.ts";
import type { Rng } from "./rng.ts";
import type { Param } from "./spec.ts";

/**
 * The autoregressive "highway" of LSTNet: a linear map from the raw input window straight to the horizon,
 * added to the network's head. It lets the model express seasonal lags (last year's same week sits at a
 * fixed position in the window) that an LSTM's last hidden state carries poorly. A few multiply-adds per
 * sample, so plain loops suffice.
 */
export class Highway {
  readonly weight: Param;
  readonly bias: Param;
  /** After `forward`: `[batch, horizon]`. */
  out = new Float32Array(0);
  private input = new Float32Array(0);
  private batch = 0;

  constructor(
    readonly windowSize: number,
    readonly horizon: number,
    rng: Rng,
  ) {
    this.weight = createParam("highway.weight", [horizon, windowSize]);
    this.bias = createParam("highway.bias", [horizon]);
    const bound = 1 / Math.sqrt(windowSize);
    initUniform(this.weight, bound, rng);
    initUniform(this.bias, bound, rng);
  }

  allocate(capacity: number): void {
    this.out = new Float32Array(capacity * this.horizon);
    this.input = new Float32Array(capacity * this.windowSize);
  }

  forward(x: Float32Array, batch: number): void {
    const { windowSize: n, horizon: h, out } = this;
    const w = this.weight.data;
    const b = this.bias.data;
    // Kept for backward: the caller's batch buffer may be refilled before then.
    this.input.set(x.subarray(0, batch * n));
    this.batch = batch;
    for (let row = 0; row < batch; row++) {
      for (let k = 0; k < h; k++) {
        let sum = b[k];
        for (let t = 0; t < n; t++) sum += w[k * n + t] * x[row * n + t];
        out[row * h + k] = sum;
      }
    }
  }

  /** Accumulates dLoss/dW and dLoss/db; the raw input needs no gradient. */
  backward(dOut: Float32Array): void {
    const { windowSize: n, horizon: h, input, batch } = this;
    const gw = this.weight.grad;
    const gb = this.bias.grad;
    for (let row = 0; row < batch; row++) {
      for (let k = 0; k < h; k++) {
        const g = dOut[row * h + k];
        gb[k] += g;
        for (let t = 0; t < n; t++) gw[k * n + t] += g * input[row * n + t];
      }
    }
  }
}
