import { UNALLOCATED } from "./array-ops.ts";
import { createParam, initUniform } from "./param.ts";
import { sinusoidalPositions } from "./positional-encoding.ts";
import type { Rng } from "./rng.ts";
import type { Param } from "./spec.ts";
import type { Workspace } from "./workspace.ts";

/**
 * Each value of the window becomes a d-vector: `out[b·steps + t] = x[b, t] · w + bias + pe[t]`, PyTorch's
 * `Linear(1 → d)` on `x.unsqueeze(-1)` plus sinusoidal positions. Rows are batch-major, `[batch · steps, d]`.
 */
export class StepEmbedding {
  readonly weight: Param;
  readonly bias: Param;
  /** After `forward`: `[batch · steps, d]`. */
  out = UNALLOCATED;
  private readonly positions: Float32Array;
  private x = UNALLOCATED;
  private batch = 0;

  constructor(
    private readonly workspace: Workspace,
    readonly steps: number,
    readonly d: number,
    rng: Rng,
  ) {
    this.weight = createParam("embed.weight", [d, 1]);
    this.bias = createParam("embed.bias", [d]);
    initUniform(this.weight, 1, rng); // fan_in 1
    initUniform(this.bias, 1, rng);
    this.positions = sinusoidalPositions(steps, d);
  }

  /** Allocates buffers for batches up to `capacity`; call inside `workspace.layout`. */
  allocate(capacity: number): void {
    this.out = this.workspace.alloc(capacity * this.steps * this.d);
    this.x = this.workspace.alloc(capacity * this.steps);
  }

  forward(x: Float32Array, batch: number): void {
    const { steps, d, out, positions } = this;
    const w = this.weight.data;
    const bias = this.bias.data;
    const rows = batch * steps;
    // Kept for backward: the caller's batch buffer may be refilled before then.
    this.x.set(x.subarray(0, rows));
    this.batch = batch;
    for (let r = 0; r < rows; r++) {
      const value = x[r];
      const pe = (r % steps) * d;
      const o = r * d;
      for (let j = 0; j < d; j++) out[o + j] = value * w[j] + bias[j] + positions[pe + j];
    }
  }

  /** Accumulates dLoss/dW and dLoss/db from dLoss/dOut, `[batch · steps, d]`; the input needs no gradient. */
  backward(dOut: Float32Array): void {
    const { d, x } = this;
    const gw = this.weight.grad;
    const gb = this.bias.grad;
    const rows = this.batch * this.steps;
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
