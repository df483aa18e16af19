import { ADAM_SETTINGS } from "./simd-adam.ts";
import type { Param } from "./spec.ts";
import { Workspace } from "./workspace.ts";

export interface AdamOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  /** L2 penalty added to the gradient, as PyTorch's Adam (not AdamW) does. */
  weightDecay?: number;
}

/**
 * Adam with PyTorch's semantics and defaults (lr 1e-3, betas 0.9/0.999, eps 1e-8, bias-corrected). The update
 * runs as one SIMD kernel over every parameter, gathered into the optimizer's own workspace next to the moments.
 */
export class Adam {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private readonly workspace = new Workspace();
  private readonly data: Float32Array;
  private readonly grad: Float32Array;
  private readonly firstMoment: Float32Array;
  private readonly secondMoment: Float32Array;
  private readonly settings: Float32Array;
  private steps = 0;

  constructor(
    private readonly params: readonly Param[],
    options: AdamOptions = {},
  ) {
    this.lr = options.lr ?? 1e-3;
    [this.beta1, this.beta2] = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    const total = params.reduce((sum, p) => sum + p.data.length, 0);
    const { workspace } = this;
    [this.data, this.grad, this.firstMoment, this.secondMoment, this.settings] = workspace.layout(() =>
      [total, total, total, total, ADAM_SETTINGS.length].map((length) => workspace.alloc(length)),
    );
  }

  /** One update of every parameter from its `grad`. */
  step(): void {
    this.steps++;
    const { beta1, beta2, workspace, data, grad } = this;
    // PyTorch's  w -= lr/bc1 · m / (√v/√bc2 + eps)  with √bc2 moved to the numerator: one division, not two.
    const sqrtBiasCorrection2 = Math.sqrt(1 - beta2 ** this.steps);
    const settings = {
      beta1,
      beta2,
      oneMinusBeta1: 1 - beta1,
      oneMinusBeta2: 1 - beta2,
      stepSize: (this.lr * sqrtBiasCorrection2) / (1 - beta1 ** this.steps),
      eps: this.eps * sqrtBiasCorrection2,
      weightDecay: this.weightDecay,
    };
    ADAM_SETTINGS.forEach((name, i) => {
      this.settings[i] = settings[name];
    });
    let offset = 0;
    for (const param of this.params) {
      data.set(param.data, offset);
      grad.set(param.grad, offset);
      offset += param.data.length;
    }
    const at = (view: Float32Array) => workspace.address(view, 0, view.length);
    workspace.kernels.adamStep(
      at(data),
      at(grad),
      at(this.firstMoment),
      at(this.secondMoment),
      offset,
      at(this.settings),
    );
    offset = 0;
    for (const param of this.params) {
      param.data.set(data.subarray(offset, offset + param.data.length));
      offset += param.data.length;
    }
  }
}
