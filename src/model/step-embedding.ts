import { UNALLOCATED } from "./array-ops.ts";
import { createParam, initUniform } from "./param.ts";
import { sinusoidalPositions } from "./positional-encoding.ts";
import type { Rng } from "./rng.ts";
import type { Param } from "./spec.ts";
import type { Workspace } from "./workspace.ts";

/**
 * Each value of the window becomes a d-vector: `out[b·steps + t] = x[b, t] · w + bias + pe[t]`, PyTorch's
 * `Linear(1 → d)` on `x.unsqueeze(-1)` plus sinusoidal positions. Rows are batch-major, `[batch · steps, d]`.
 * With features, each step's features join its value: `Linear(1 + F → d)` on `[x[b, t], features of t]`.
 */
export class StepEmbedding {
  readonly weight: Param;
  readonly bias: Param;
  /** After `forward`: `[batch · steps, d]`. */
  out = UNALLOCATED;
  private readonly positions: Float32Array;
  private x = UNALLOCATED;
  /** Step r's inputs, `[batch · steps, 1 + features]`: its value, then its features. */
  private inputs = UNALLOCATED;
  private batch = 0;
  private readonly width: number;

  /** `features` per period, `periods` (window and horizon) of them in a row of the covariates. */
  constructor(
    private readonly workspace: Workspace,
    readonly steps: number,
    readonly d: number,
    rng: Rng,
    private readonly featureInput = { features: 0, periods: steps },
  ) {
    this.width = 1 + featureInput.features;
    this.weight = createParam("embed.weight", [d, this.width]);
    this.bias = createParam("embed.bias", [d]);
    const bound = 1 / Math.sqrt(this.width); // PyTorch's 1/√fan_in
    initUniform(this.weight, bound, rng);
    initUniform(this.bias, bound, rng);
    this.positions = sinusoidalPositions(steps, d);
  }

  /** Allocates buffers for batches up to `capacity`; call inside `workspace.layout`. */
  allocate(capacity: number): void {
    this.out = this.workspace.alloc(capacity * this.steps * this.d);
    this.x = this.workspace.alloc(capacity * this.steps);
    this.inputs = this.workspace.alloc(capacity * this.steps * this.width);
  }

  /** `x[batch, steps]`; with features, `covariates[batch, periods · features]`, whose window rows it reads. */
  forward(x: Float32Array, batch: number, covariates?: Float32Array): void {
    const { steps, d, out, positions, width } = this;
    const w = this.weight.data;
    const bias = this.bias.data;
    const rows = batch * steps;
    // Kept for backward: the caller's batch buffer may be refilled before then.
    this.x.set(x.subarray(0, rows));
    this.batch = batch;
    if (width === 1) {
      for (let r = 0; r < rows; r++) {
        const value = x[r];
        const pe = (r % steps) * d;
        const o = r * d;
        for (let j = 0; j < d; j++) out[o + j] = value * w[j] + bias[j] + positions[pe + j];
      }
      return;
    }
    this.gatherInputs(x, batch, covariates);
    const { inputs } = this;
    for (let r = 0; r < rows; r++) {
      const pe = (r % steps) * d;
      const o = r * d;
      for (let j = 0; j < d; j++) {
        let sum = bias[j] + positions[pe + j];
        for (let c = 0; c < width; c++) sum += w[j * width + c] * inputs[r * width + c];
        out[o + j] = sum;
      }
    }
  }

  private gatherInputs(x: Float32Array, batch: number, covariates: Float32Array | undefined): void {
    const { steps, width, inputs } = this;
    const { features, periods } = this.featureInput;
    if (!covariates || covariates.length < batch * periods * features) {
      throw new RangeError(`the embedding needs ${batch * periods * features} feature values`);
    }
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < steps; t++) {
        const r = b * steps + t;
        inputs[r * width] = x[r];
        const from = b * periods * features + t * features;
        for (let f = 0; f < features; f++) inputs[r * width + 1 + f] = covariates[from + f];
      }
    }
  }

  /** Accumulates dLoss/dW and dLoss/db from dLoss/dOut, `[batch · steps, d]`; the input needs no gradient. */
  backward(dOut: Float32Array): void {
    const { d, x, width, inputs } = this;
    const gw = this.weight.grad;
    const gb = this.bias.grad;
    const rows = this.batch * this.steps;
    if (width > 1) {
      for (let r = 0; r < rows; r++) {
        const o = r * d;
        for (let j = 0; j < d; j++) {
          const g = dOut[o + j];
          gb[j] += g;
          for (let c = 0; c < width; c++) gw[j * width + c] += g * inputs[r * width + c];
        }
      }
      return;
    }
    for (let r = 0; r < rows; r++) {
      const value = x[r];
      const o = r * d;
      for (let j = 0; j < d; j++) {
        const g = dOut[o + j];
        gw[j] += g * value;
        gb[j] += g;
      }
    }
  }
}
