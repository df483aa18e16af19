import { UNALLOCATED } from "./array-ops.ts";
import { Linear } from "./linear.ts";
import type { Param, ParamShape } from "./spec.ts";
import { Workspace } from "./workspace.ts";

/** The names of the quantile head's parameters in a state dict and an ONNX graph. */
export const QUANTILE_HEAD_WEIGHT = "quantile_head.weight";
export const QUANTILE_HEAD_BIAS = "quantile_head.bias";

/**
 * Checks a spec's `quantiles`: probabilities strictly between 0 and 1, ascending, without repeats, the median
 * among them (the point forecast is the head's median). Throws naming the rule; undefined passes as "no head".
 */
export function checkedQuantiles(value: unknown): number[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length < 2) {
    throw new Error(`spec.quantiles must list at least two probabilities, got ${JSON.stringify(value)}`);
  }
  value.forEach((q, i) => {
    if (typeof q !== "number" || !(q > 0 && q < 1)) {
      throw new Error(`spec.quantiles[${i}] must be a number above 0 and below 1, got ${JSON.stringify(q)}`);
    }
    if (i > 0 && !(q > value[i - 1])) {
      throw new Error(`spec.quantiles must ascend without repeats, got ${q} after ${value[i - 1]}`);
    }
  });
  if (!value.includes(0.5)) throw new Error("spec.quantiles must include the median, 0.5");
  return [...value];
}

/** The head's parameter shapes for `quantiles` on features of `width`: one gap per step and neighbouring pair. */
export function quantileHeadShapes(
  horizon: number,
  width: number,
  quantiles: readonly number[],
): ParamShape[] {
  const gaps = horizon * (quantiles.length - 1);
  return [
    { name: QUANTILE_HEAD_WEIGHT, shape: [gaps, width] },
    { name: QUANTILE_HEAD_BIAS, shape: [gaps] },
  ];
}

/**
 * How the gaps between neighbouring quantiles build the quantiles from the median: `matrix[k][j]` is +1 when
 * gap k lies between the median and quantile j above it, -1 when it lies between quantile j below the median
 * and the median, 0 otherwise. Quantile j = point + Σ_k gap_k · matrix[k][j]; the gaps are positive, so the
 * quantiles ascend by construction. Row-major `[Q - 1, Q]`, the same matrix the ONNX graph multiplies by.
 */
export function gapMatrix(quantiles: readonly number[]): Float32Array {
  const q = quantiles.length;
  const median = quantiles.indexOf(0.5);
  const matrix = new Float32Array((q - 1) * q);
  for (let k = 0; k < q - 1; k++) {
    for (let j = 0; j < q; j++) {
      if (j > median && k >= median && k < j) matrix[k * q + j] = 1;
      else if (j < median && k >= j && k < median) matrix[k * q + j] = -1;
    }
  }
  return matrix;
}

/** log(1 + eˣ) without overflow for large x. */
function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/**
 * A multi-quantile head on a network's last features: `gaps = softplus(features · Wᵀ + b)`, one per step and
 * neighbouring pair of quantiles, laid outward from the network's point forecast as the median, so quantiles
 * never cross. The head reads the features but sends no gradient into them: the point forecast stays the one
 * trained for squared error, and the head is fitted afterwards, by pinball loss, with the network frozen. Its
 * weights start at zero (every gap log 2, in the scaled units of the window), so creating it draws nothing from
 * the network's random stream. The product with W runs in a workspace of the head's own (the kernels' matrix
 * product: plain loops made the head's fit a second of a Walmart backtest); the gaps' arithmetic is plain code.
 */
export class QuantileHead {
  readonly weight: Param;
  readonly bias: Param;
  /** After `forward`: `[batch, horizon, quantiles]`. */
  out = new Float32Array(0);
  private readonly workspace = new Workspace();
  private readonly linear: Linear;
  private readonly matrix: Float32Array;
  private readonly gaps: number;
  private readonly median: number;
  private features = UNALLOCATED;
  private dPreactivation = UNALLOCATED;
  private batch = 0;

  constructor(
    readonly width: number,
    readonly horizon: number,
    readonly quantiles: readonly number[],
  ) {
    const [weight, bias] = quantileHeadShapes(horizon, width, quantiles);
    this.gaps = horizon * (quantiles.length - 1);
    this.linear = new Linear(
      this.workspace,
      width,
      this.gaps,
      { weight: weight.name, bias: bias.name },
      null,
    );
    this.weight = this.linear.weight;
    this.bias = this.linear.bias;
    this.matrix = gapMatrix(quantiles);
    this.median = quantiles.indexOf(0.5);
  }

  get params(): Param[] {
    return [this.weight, this.bias];
  }

  /** After `forward`: the features it read, `[batch, width]` from element 0. */
  get input(): Float32Array {
    return this.features;
  }

  allocate(capacity: number): void {
    this.out = new Float32Array(capacity * this.horizon * this.quantiles.length);
    this.workspace.layout(() => {
      this.features = this.workspace.alloc(capacity * this.width);
      this.dPreactivation = this.workspace.alloc(capacity * this.gaps);
      this.linear.allocate(capacity);
    });
  }

  /** `features` rows from element `offset` (`[batch, width]`) and the point forecast `[batch, horizon]`. */
  forward(features: Float32Array, offset: number, point: Float32Array, batch: number): void {
    const { width, horizon, gaps, median, out } = this;
    const q = this.quantiles.length;
    // Kept for backward (the network reuses its feature buffer), and where the product reads them.
    this.features.set(features.subarray(offset, offset + batch * width));
    this.batch = batch;
    this.linear.forward(this.features, 0, batch);
    const preactivation = this.linear.out;
    for (let row = 0; row < batch; row++) {
      for (let h = 0; h < horizon; h++) {
        const gapAt = row * gaps + h * (q - 1);
        const at = (row * horizon + h) * q;
        // gapMatrix's sums, accumulated outward from the median: up through the gaps above, down below.
        out[at + median] = point[row * horizon + h];
        for (let j = median + 1; j < q; j++)
          out[at + j] = out[at + j - 1] + softplus(preactivation[gapAt + j - 1]);
        for (let j = median - 1; j >= 0; j--)
          out[at + j] = out[at + j + 1] - softplus(preactivation[gapAt + j]);
      }
    }
  }

  /** Accumulates dLoss/dW and dLoss/db from dLoss/dQuantiles `[batch, horizon, quantiles]`. */
  backward(dOut: Float32Array): void {
    const { horizon, gaps, matrix, batch, dPreactivation } = this;
    const q = this.quantiles.length;
    const preactivation = this.linear.out;
    for (let row = 0; row < batch; row++) {
      for (let h = 0; h < horizon; h++) {
        const outAt = (row * horizon + h) * q;
        for (let k = 0; k < q - 1; k++) {
          let dGap = 0;
          for (let j = 0; j < q; j++) dGap += matrix[k * q + j] * dOut[outAt + j];
          const g = row * gaps + h * (q - 1) + k;
          // softplus' = the logistic sigmoid
          dPreactivation[g] = dGap === 0 ? 0 : dGap / (1 + Math.exp(-preactivation[g]));
        }
      }
    }
    // The head is fitted on frozen features: nothing below it needs their gradient.
    this.linear.backward(dPreactivation, "none");
  }
}
