import { addTransposedInto, UNALLOCATED } from "./array-ops.ts";
import { createParam, initUniform } from "./param.ts";
import type { Rng } from "./rng.ts";
import type { Param } from "./spec.ts";
import { rowMajor, transposed, type Workspace } from "./workspace.ts";

/** The feature channels a convolution reads beside the window: `features` per period, `periods` periods a row. */
export interface ConvFeatures {
  features: number;
  periods: number;
}

/**
 * Conv1d from one input channel (the window), plus one per feature, to `channels`, no padding, stride 1,
 * followed by ReLU. Maps `x[batch, window]` (and the features of the window's periods) to
 * `out[steps, batch, channels]` (time-major, steps = window - kernel + 1), the layout the LSTM reads. Each
 * direction is one matrix product per input channel. With input channel c kept transposed, `xT_c[window,
 * batch]`, element p of row `r = t·batch + b` of its unfolded input (`x_c[b, t + p]`) is `xT_c[p·batch + r]`:
 * the unfolded input is the transpose of `xT_c` read as rows of `batch`, and needs no copy.
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
  private readonly inputs: number;

  constructor(
    private readonly workspace: Workspace,
    private readonly window: number,
    readonly channels: number,
    readonly kernel: number,
    rng: Rng,
    private readonly featureInput: ConvFeatures = { features: 0, periods: window },
  ) {
    this.steps = window - kernel + 1;
    this.inputs = 1 + featureInput.features;
    this.weight = createParam("conv.weight", [channels, this.inputs, kernel]);
    this.bias = createParam("conv.bias", [channels]);
    const bound = 1 / Math.sqrt(this.inputs * kernel);
    initUniform(this.weight, bound, rng);
    initUniform(this.bias, bound, rng);
  }

  /** Allocates buffers for batches up to `capacity`; call inside `workspace.layout`. */
  allocate(capacity: number): void {
    const { workspace, channels, kernel, inputs } = this;
    const rows = this.steps * capacity;
    this.x = workspace.alloc(this.window * capacity);
    this.xT = workspace.alloc(inputs * this.window * capacity);
    this.weightCopy = workspace.alloc(channels * inputs * kernel);
    this.weightT = workspace.alloc(inputs * kernel * channels);
    this.biasCopy = workspace.alloc(channels);
    this.out = workspace.alloc(rows * channels);
    this.dPre = workspace.alloc(rows * channels);
    this.gradWeightT = workspace.alloc(inputs * kernel * channels);
    this.gradBias = workspace.alloc(channels);
    this.ones = workspace.alloc(rows).fill(1);
  }

  /**
   * `x[batch, window]`; with feature channels, `covariates[batch, periods · features]` (period-major), of
   * which the window's periods are read.
   */
  forward(x: Float32Array, batch: number, covariates?: Float32Array): void {
    const { workspace, window, channels, kernel, inputs, out } = this;
    this.batch = batch;
    this.x.set(x.subarray(0, batch * window));
    workspace.transpose(this.x, batch, window, this.xT);
    if (inputs > 1) this.gatherFeatures(covariates, batch);
    this.weightCopy.set(this.weight.data);
    // [channels, inputs · kernel] transposed: input c's [kernel, channels] block starts at row c · kernel.
    workspace.transpose(this.weightCopy, channels, inputs * kernel, this.weightT);
    this.biasCopy.set(this.bias.data);
    const rows = this.steps * batch;
    // out = ones[rows, 1] · bias[1, channels] + Σ_c unfolded_c · W_cᵀ, then ReLU.
    const biasRow = rowMajor(this.biasCopy, 0, channels);
    workspace.gemm(rows, channels, 1, rowMajor(this.ones, 0, 1), biasRow, rowMajor(out, 0, channels), false);
    for (let c = 0; c < inputs; c++) {
      const unfolded = transposed(this.xT, c * window * batch, batch);
      const weightT = rowMajor(this.weightT, c * kernel * channels, channels);
      workspace.gemm(rows, channels, kernel, unfolded, weightT, rowMajor(out, 0, channels), true);
    }
    workspace.relu(out, rows * channels);
  }

  /** Feature f of the window's period t of row b into `xT_{1+f}[t, b]`. */
  private gatherFeatures(covariates: Float32Array | undefined, batch: number): void {
    const { window, xT } = this;
    const { features, periods } = this.featureInput;
    if (!covariates || covariates.length < batch * periods * features) {
      throw new RangeError(`the convolution needs ${batch * periods * features} feature values`);
    }
    for (let f = 0; f < features; f++) {
      const channel = (1 + f) * window * batch;
      for (let b = 0; b < batch; b++) {
        const row = b * periods * features + f;
        for (let t = 0; t < window; t++) xT[channel + t * batch + b] = covariates[row + t * features];
      }
    }
  }

  /** Accumulates the parameter gradients given dLoss/dOut, `[steps · batch, channels]`. */
  backward(dOut: Float32Array): void {
    const { workspace, window, channels, kernel, inputs, batch, dPre } = this;
    const rows = this.steps * batch;
    workspace.reluBackward(this.out, dOut, dPre, rows * channels);
    const d = rowMajor(dPre, 0, channels);
    // dW_cᵀ[kernel, channels] = unfolded_cᵀ · dPre, block c of dWᵀ[inputs · kernel, channels].
    for (let c = 0; c < inputs; c++) {
      const unfoldedT = rowMajor(this.xT, c * window * batch, batch);
      const target = rowMajor(this.gradWeightT, c * kernel * channels, channels);
      workspace.gemm(kernel, channels, rows, unfoldedT, d, target, false);
    }
    addTransposedInto(this.weight.grad, this.gradWeightT, inputs * kernel, channels);
    this.gradBias.set(this.bias.grad);
    workspace.columnSums(rows, channels, d, this.gradBias, true);
    this.bias.grad.set(this.gradBias);
  }
}
