import { addTransposedInto, UNALLOCATED } from "./array-ops.ts";
import { createParam, initUniform } from "./param.ts";
import type { Rng } from "./rng.ts";
import type { Param } from "./spec.ts";
import { rowMajor, transposed, type Workspace } from "./workspace.ts";

/**
 * Conv1d from one input channel to `channels`, no padding, stride 1, followed by ReLU. Maps `x[batch, window]`
 * to `out[steps, batch, channels]` (time-major, steps = window - kernel + 1), the layout the LSTM reads.
 * Each direction is one matrix product. With the input kept transposed, `xT[window, batch]`, element p of row
 * `r = t·batch + b` of the unfolded input (`x[b, t + p]`) is `xT[p·batch + r]`: the unfolded input is the
 * transpose of `xT` read as rows of `batch`, and needs no copy.
 */
export class Conv1dRelu {
  readonly weight: Param;
  readonly bias: Param;
  readonly steps: number;
  /** After `forward`: the activations, `[steps · batch, channels]`. */
  out = UNALLOCATED;
  private x = UNALLOCATED;
  private xT = UNALLOCATED;
  private weightCopy = UNALLOCATED;
  private weightT = UNALLOCATED;
  private biasCopy = UNALLOCATED;
  private dPre = UNALLOCATED;
  private gradWeightT = UNALLOCATED;
  private gradBias = UNALLOCATED;
  private ones = UNALLOCATED;
  private batch = 0;

  constructor(
    private readonly workspace: Workspace,
    private readonly window: number,
    readonly channels: number,
    readonly kernel: number,
    rng: Rng,
  ) {
    this.steps = window - kernel + 1;
    this.weight = createParam("conv.weight", [channels, 1, kernel]);
    this.bias = createParam("conv.bias", [channels]);
    const bound = 1 / Math.sqrt(kernel);
    initUniform(this.weight, bound, rng);
    initUniform(this.bias, bound, rng);
  }

  /** Allocates buffers for batches up to `capacity`; call inside `workspace.layout`. */
  allocate(capacity: number): void {
    const { workspace, channels, kernel } = this;
    const rows = this.steps * capacity;
    this.x = workspace.alloc(this.window * capacity);
    this.xT = workspace.alloc(this.window * capacity);
    this.weightCopy = workspace.alloc(channels * kernel);
    this.weightT = workspace.alloc(kernel * channels);
    this.biasCopy = workspace.alloc(channels);
    this.out = workspace.alloc(rows * channels);
    this.dPre = workspace.alloc(rows * channels);
    this.gradWeightT = workspace.alloc(kernel * channels);
    this.gradBias = workspace.alloc(channels);
    this.ones = workspace.alloc(rows).fill(1);
  }

  forward(x: Float32Array, batch: number): void {
    const { workspace, window, channels, kernel, out } = this;
    this.batch = batch;
    this.x.set(x.subarray(0, batch * window));
    workspace.transpose(this.x, batch, window, this.xT);
    this.weightCopy.set(this.weight.data);
    workspace.transpose(this.weightCopy, channels, kernel, this.weightT);
    this.biasCopy.set(this.bias.data);
    const rows = this.steps * batch;
    // out = ones[rows, 1] · bias[1, channels] + unfolded · Wᵀ, then ReLU.
    const biasRow = rowMajor(this.biasCopy, 0, channels);
    workspace.gemm(rows, channels, 1, rowMajor(this.ones, 0, 1), biasRow, rowMajor(out, 0, channels), false);
    const unfolded = transposed(this.xT, 0, batch);
    const weightT = rowMajor(this.weightT, 0, channels);
    workspace.gemm(rows, channels, kernel, unfolded, weightT, rowMajor(out, 0, channels), true);
    workspace.relu(out, rows * channels);
  }

  /** Accumulates the parameter gradients given dLoss/dOut, `[steps · batch, channels]`. */
  backward(dOut: Float32Array): void {
    const { workspace, channels, kernel, batch, dPre } = this;
    const rows = this.steps * batch;
    workspace.reluBackward(this.out, dOut, dPre, rows * channels);
    const d = rowMajor(dPre, 0, channels);
    // dWᵀ[kernel, channels] = unfoldedᵀ · dPre.
    const unfoldedT = rowMajor(this.xT, 0, batch);
    workspace.gemm(kernel, channels, rows, unfoldedT, d, rowMajor(this.gradWeightT, 0, channels), false);
    addTransposedInto(this.weight.grad, this.gradWeightT, kernel, channels);
    this.gradBias.set(this.bias.grad);
    workspace.columnSums(rows, channels, d, this.gradBias, true);
    this.bias.grad.set(this.gradBias);
  }
}
