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

  /** Normalizes the rows of `input + residual`, the sum a post-norm layer takes, without storing it. */
  forward(input: Float32Array, residual: Float32Array, rows: number): void {
    const { features: n, out, normalized, inverseStd } = this;
    const gamma = this.weight.data;
    const beta = this.bias.data;
    this.rows = rows;
    for (let r = 0; r < rows; r++) {
      const o = r * n;
      let sum = 0;
      let squares = 0;
      for (let j = 0; j < n; j++) {
        const value = input[o + j] + residual[o + j];
        normalized[o + j] = value;
        sum += value;
        squares += value * value;
      }
      // One pass in double: the rows are a few dozen float32 values of moderate size, so E[x²] − mean² keeps
      // far more precision than float32 has.
      const mean = sum / n;
      const inverse = 1 / Math.sqrt(Math.max(0, squares / n - mean * mean) + LAYER_NORM_EPS);
      inverseStd[r] = inverse;
      for (let j = 0; j < n; j++) {
        const xhat = (normalized[o + j] - mean) * inverse;
        normalized[o + j] = xhat;
        out[o + j] = xhat * gamma[j] + beta[j];
      }
    }
  }

  /**
   * Accumulates the parameter gradients and writes dLoss/dInput given dLoss/dOut as the sum `dOut + dOutMore`
   * (`[rows, features]` each; the output feeds two places in a post-norm layer), or `dOut` alone.
   */
  backward(dOut: Float32Array, dOutMore: Float32Array | null = null): void {
    const { features: n, normalized, inverseStd, dInput } = this;
    const gamma = this.weight.data;
    const gGamma = this.weight.grad;
    const gBeta = this.bias.grad;
    for (let r = 0; r < this.rows; r++) {
      const o = r * n;
      let meanD = 0;
      let meanDx = 0;
      for (let j = 0; j < n; j++) {
        const dy = dOutMore ? dOut[o + j] + dOutMore[o + j] : dOut[o + j];
        dInput[o + j] = dy;
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
        const dxhat = dInput[o + j] * gamma[j];
        dInput[o + j] = inverse * (dxhat - meanD - normalized[o + j] * meanDx);
      }
    }
  }
}
