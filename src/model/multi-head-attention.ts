import { UNALLOCATED } from "./array-ops.ts";
import { expNonPositive } from "./fast-exp.ts";
import { Linear } from "./linear.ts";
import type { Rng } from "./rng.ts";
import type { Param } from "./spec.ts";
import { rowMajor, transposed, type Workspace } from "./workspace.ts";

/**
 * Self-attention as PyTorch's `nn.MultiheadAttention(d, heads, batch_first=True)`: one input projection whose
 * weight stacks q, k and v (`in_proj_weight [3d, d]`), scaled dot-product attention per head over the `steps`
 * positions of each window, and the output projection. Sequences are batch-major, `[batch · steps, d]`.
 * The projections are one matrix product over every row; each (window, head) pair adds four small products,
 * for which K and V are also kept transposed (the kernel reads B by rows).
 */
export class MultiHeadAttention {
  readonly inProj: Linear;
  readonly outProj: Linear;
  private readonly headSize: number;
  private readonly scale: number;
  private keysT = UNALLOCATED;
  private valuesT = UNALLOCATED;
  /** Attention weights per (window, head): `[batch · heads, steps, steps]`. */
  private probs = UNALLOCATED;
  private context = UNALLOCATED;
  private dScores = UNALLOCATED;
  private dQkv = UNALLOCATED;
  private keyBiasGrad = UNALLOCATED;
  private batch = 0;

  constructor(
    private readonly workspace: Workspace,
    readonly d: number,
    readonly heads: number,
    readonly steps: number,
    prefix: string,
    rng: Rng,
  ) {
    this.headSize = d / heads;
    this.scale = 1 / Math.sqrt(this.headSize);
    const names = { weight: `${prefix}.in_proj_weight`, bias: `${prefix}.in_proj_bias` };
    this.inProj = new Linear(workspace, d, 3 * d, names, rng);
    this.outProj = new Linear(workspace, d, d, `${prefix}.out_proj`, rng);
    // PyTorch's initialization: Xavier-uniform in_proj_weight, zero biases.
    const bound = Math.sqrt(6 / (d + 3 * d));
    const w = this.inProj.weight.data;
    for (let i = 0; i < w.length; i++) w[i] = rng.uniformRange(-bound, bound);
    this.inProj.bias.data.fill(0);
    this.outProj.bias.data.fill(0);
  }

  get params(): Param[] {
    return [this.inProj.weight, this.inProj.bias, this.outProj.weight, this.outProj.bias];
  }

  /** After `forward`: `[batch · steps, d]`. */
  get out(): Float32Array {
    return this.outProj.out;
  }

  /** After `backward`: dLoss/dInput, `[batch · steps, d]`. */
  get dInput(): Float32Array {
    return this.inProj.dInput;
  }

  /** Allocates buffers for batches up to `capacity`; call inside `workspace.layout`. */
  allocate(capacity: number): void {
    const { workspace, d, heads, steps } = this;
    const rows = capacity * steps;
    this.inProj.allocate(rows);
    this.outProj.allocate(rows);
    this.keysT = workspace.alloc(rows * d);
    this.valuesT = workspace.alloc(rows * d);
    this.probs = workspace.alloc(capacity * heads * steps * steps);
    this.context = workspace.alloc(rows * d);
    this.dScores = workspace.alloc(steps * steps);
    this.dQkv = workspace.alloc(rows * 3 * d);
    this.keyBiasGrad = workspace.alloc(d);
  }

  forward(input: Float32Array, batch: number): void {
    const { workspace, d, heads, steps: t, headSize: dh, probs, context } = this;
    this.batch = batch;
    this.inProj.forward(input, 0, batch * t);
    const qkv = this.inProj.out;
    this.transposeHeads(qkv, batch);
    const width = 3 * d;
    for (let b = 0; b < batch; b++) {
      for (let h = 0; h < heads; h++) {
        const pair = b * heads + h;
        const q = rowMajor(qkv, b * t * width + h * dh, width);
        const kT = rowMajor(this.keysT, pair * dh * t, t);
        const scores = rowMajor(probs, pair * t * t, t);
        workspace.gemm(t, t, dh, q, kT, scores, false);
        this.softmaxRows(pair * t * t);
        const v = rowMajor(qkv, b * t * width + 2 * d + h * dh, width);
        workspace.gemm(t, dh, t, scores, v, rowMajor(context, b * t * d + h * dh, d), false);
      }
    }
    this.outProj.forward(context, 0, batch * t);
  }

  /** `keysT`, `valuesT`: per (window, head), K and V of `qkv` transposed to `[headSize, steps]`. */
  private transposeHeads(qkv: Float32Array, batch: number): void {
    const { d, heads, steps: t, headSize: dh, keysT, valuesT } = this;
    const width = 3 * d;
    for (let b = 0; b < batch; b++) {
      for (let h = 0; h < heads; h++) {
        const target = (b * heads + h) * dh * t;
        for (let s = 0; s < t; s++) {
          const source = (b * t + s) * width + h * dh;
          for (let p = 0; p < dh; p++) {
            keysT[target + p * t + s] = qkv[source + d + p];
            valuesT[target + p * t + s] = qkv[source + 2 * d + p];
          }
        }
      }
    }
  }

  /** `softmax(scale · row)` over each of the `steps` rows of the `[steps, steps]` block at `offset`. */
  private softmaxRows(offset: number): void {
    const { probs, steps: t, scale } = this;
    for (let i = 0; i < t; i++) {
      const row = offset + i * t;
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < t; j++) if (probs[row + j] > max) max = probs[row + j];
      let sum = 0;
      for (let j = 0; j < t; j++) {
        const e = expNonPositive((probs[row + j] - max) * scale);
        probs[row + j] = e;
        sum += e;
      }
      const inverse = 1 / sum;
      for (let j = 0; j < t; j++) probs[row + j] *= inverse;
    }
  }

  /**
   * Accumulates the parameter gradients and writes `dInput` given dLoss/dOut, `[batch · steps, d]`; with
   * `dResidual`, `dInput` is the sum of both, the gradient of a residual connection around the attention.
   */
  backward(dOut: Float32Array, dResidual: Float32Array | null = null): void {
    const { workspace, d, heads, steps: t, headSize: dh, batch, probs, dScores, dQkv } = this;
    this.outProj.backward(dOut);
    const dContext = this.outProj.dInput;
    const qkv = this.inProj.out;
    const width = 3 * d;
    const dS = rowMajor(dScores, 0, t);
    for (let b = 0; b < batch; b++) {
      const rows = b * t * width;
      for (let h = 0; h < heads; h++) {
        const pair = b * heads + h;
        const dCtx = rowMajor(dContext, b * t * d + h * dh, d);
        // dP = dCtx · Vᵀ and dV = Pᵀ · dCtx.
        workspace.gemm(t, t, dh, dCtx, rowMajor(this.valuesT, pair * dh * t, t), dS, false);
        const pT = transposed(probs, pair * t * t, t);
        workspace.gemm(t, dh, t, pT, dCtx, rowMajor(dQkv, rows + 2 * d + h * dh, width), false);
        this.softmaxBackward(pair * t * t);
        // dQ = dS · K and dK = dSᵀ · Q, dS already carrying the scale.
        const k = rowMajor(qkv, rows + d + h * dh, width);
        workspace.gemm(t, dh, t, dS, k, rowMajor(dQkv, rows + h * dh, width), false);
        const q = rowMajor(qkv, rows + h * dh, width);
        const dST = transposed(dScores, 0, t);
        workspace.gemm(t, dh, t, dST, q, rowMajor(dQkv, rows + d + h * dh, width), false);
      }
    }
    // Softmax ignores a shift of a row of scores, so the key bias cannot change the output: its gradient is
    // exactly zero, and float32 rounding noise in its place would still move it a full step under Adam.
    const biasGrad = this.inProj.bias.grad;
    this.keyBiasGrad.set(biasGrad.subarray(d, 2 * d));
    if (dResidual) this.inProj.dInput.set(dResidual.subarray(0, batch * t * d));
    this.inProj.backward(dQkv, dResidual !== null ? "accumulate" : "replace");
    biasGrad.set(this.keyBiasGrad, d);
  }

  /** dScores ← scale · P ⊙ (dP − rowsum(dP ⊙ P)), for the `[steps, steps]` block of P at `offset`. */
  private softmaxBackward(offset: number): void {
    const { probs, dScores, steps: t, scale } = this;
    for (let i = 0; i < t; i++) {
      const row = offset + i * t;
      const dRow = i * t;
      let dot = 0;
      for (let j = 0; j < t; j++) dot += dScores[dRow + j] * probs[row + j];
      for (let j = 0; j < t; j++) dScores[dRow + j] = scale * probs[row + j] * (dScores[dRow + j] - dot);
    }
  }
}
