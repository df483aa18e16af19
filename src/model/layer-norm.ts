import { UNALLOCATED } from "./array-ops.ts";
import { createParam } from "./param.ts";
import type { Param } from "./spec.ts";
import type { Workspace } from "./workspace.ts";

/** PyTorch's eps for `nn.LayerNorm`, and ONNX LayerNormalization's default. */
export const LAYER_NORM_EPS = 1e-5;

/**
 * `nn.LayerNorm(features)` over each row of `[rows, features]`: `(x − mean) / √(var + eps) · weight + bias`,
 * the variance biased. Keeps the normalized rows and each row's 1/σ for backward.
 */
export class LayerNorm {
  readonly weight: Param;
  readonly bias: Param;
  /** After `forward`: `[rows, features]`. */
  out = UNALLOCATED;
  /** After `backward`: dLoss/dInput, `[rows, features]`. */
  dInput = UNALLOCATED;
  private normalized = UNALLOCATED;
  private inverseStd = UNALLOCATED;
  private rows = 0;

  constructor(
    private readonly workspace: Workspace,
    readonly features: number,
    name: string,
  ) {
    this.weight = createParam(`${name}.weight`, [features]);
    this.bias = createParam(`${name}.bias`, [features]);
    this.weight.data.fill(1);
  }

  /** Allocates buffers for up to `capacity` rows; call inside `workspace.layout`. */
  allocate(capacity: number): void {
    const { workspace, features } = this;
    this.out = workspace.alloc(capacity * features);
    this.dInput = workspace.alloc(capacity * features);
    this.normalized = workspace.alloc(capacity * features);
    this.inverseStd = workspace.alloc(capacity);
  }

  forward(input: Float32Array, rows: number): void {
    const { features: n, out, normalized, inverseStd } = this;
    const gamma = this.weight.data;
    const beta = this.bias.data;
    this.rows = rows;
    for (let r = 0; r < rows; r++) {
      const o = r * n;
      let sum = 0;
      for (let j = 0; j < n; j++) sum += input[o + j];
      const mean = sum / n;
      let squares = 0;
      for (let j = 0; j < n; j++) {
        const centered = input[o + j] - mean;
        squares += centered * centered;
      }
      const inverse = 1 / Math.sqrt(squares / n + LAYER_NORM_EPS);
      inverseStd[r] = inverse;
      for (let j = 0; j < n; j++) {
        const xhat = (input[o + j] - mean) * inverse;
        normalized[o + j] = xhat;
        out[o + j] = xhat * gamma[j] + beta[j];
      }
    }
  }

  /** Accumulates the parameter gradients and writes dLoss/dInput given dLoss/dOut, `[rows, features]`. */
  backward(dOut: Float32Array): void {
    const { features: n, normalized, inverseStd, dInput } = this;
    const gamma = this.weight.data;
    const gGamma = this.weight.grad;
    const gBeta = this.bias.grad;
    for (let r = 0; r < this.rows; r++) {
      const o = r * n;
      let meanD = 0;
      let meanDx = 0;
      for (let j = 0; j < n; j++) {
        const dy = dOut[o + j];
        const xhat = normalized[o + j];
        gGamma[j] += dy * xhat;
        gBeta[j] += dy;
        const dxhat = dy * gamma[j];
        meanD += dxhat;
        meanDx += dxhat * xhat;
      }
      meanD /= n;
      meanDx /= n;
      const inverse = inverseStd[r];
      for (let j = 0; j < n; j++) {
        const dxhat = dOut[o + j] * gamma[j];
        dInput[o + j] = inverse * (dxhat - meanD - normalized[o + j] * meanDx);
      }
    }
  }
}
