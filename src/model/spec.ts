import { covariateHeadShapes, featureCount } from "./feature-input.ts";
import { type QuantileHead, quantileHeadShapes } from "./quantile-head.ts";
import type { TransformerSpec } from "./transformer-spec.ts";

/**
 * The saved shape of a network, kept apart from the runtime objects that compute with it.
 * Parameters use PyTorch's names, shapes and row-major memory order, so a state dict maps one to one.
 */
export interface CnnLstmSpec {
  architecture: "cnn_lstm";
  windowSize: number;
  horizon: number;
  convChannels: number;
  kernelSize: number;
  lstmHidden: number;
  lstmLayers: number;
  /** Adds a linear map from the raw window to the horizon (LSTNet's highway); absent means off. */
  highway?: boolean;
  /** The probabilities of a quantile head on the last hidden state (`quantile-head.ts`); absent: no head. */
  quantiles?: number[];
  /** Standardized features per period beside the window (`feature-input.ts`); absent: the sales alone. */
  features?: number;
  /** The feature columns the network reads, ascending; absent: all of them. */
  featureColumns?: number[];
}

/** One spec per architecture, told apart by `architecture`. */
export type NetworkSpec = CnnLstmSpec | TransformerSpec;

export interface ParamShape {
  name: string;
  shape: number[];
}

/** A named parameter tensor: `data` holds the values, `grad` the gradient of the last backward pass. */
export interface Param {
  name: string;
  shape: number[];
  data: Float32Array;
  grad: Float32Array;
}

/**
 * Every network the trainer can fit: batched forward on rows of `inputWidth(spec)` (the window, then its
 * features when the spec has them), backward from `dLoss/dOutput`.
 */
export interface Network {
  readonly spec: NetworkSpec;
  readonly params: Param[];
  /** The output layer into the horizon (its weight, then its bias), which the highway sits beside. */
  readonly head: readonly Param[];
  /** With `spec.quantiles`: the quantile head, computed by every `forward` (its `out`), fitted on its own. */
  readonly quantileHead: QuantileHead | null;
  /** Returns the output `[batch, horizon]`; the buffer is reused by the next call. */
  forward(x: Float32Array, batch: number): Float32Array;
  /** Accumulates into every `param.grad` (call `zeroGrad` first) given `dOut` `[batch, horizon]`. */
  backward(dOut: Float32Array): void;
  zeroGrad(): void;
}

/** Parameter names and shapes of a CNN-LSTM in PyTorch's layout (LSTM gates stacked i, f, g, o). */
export function cnnLstmParamShapes(spec: CnnLstmSpec): ParamShape[] {
  const { convChannels: c, kernelSize: k, lstmHidden: h, lstmLayers, horizon } = spec;
  const shapes: ParamShape[] = [
    { name: "conv.weight", shape: [c, 1 + featureCount(spec), k] },
    { name: "conv.bias", shape: [c] },
  ];
  for (let layer = 0; layer < lstmLayers; layer++) {
    const inputSize = layer === 0 ? c : h;
    shapes.push(
      { name: `lstm.weight_ih_l${layer}`, shape: [4 * h, inputSize] },
      { name: `lstm.weight_hh_l${layer}`, shape: [4 * h, h] },
      { name: `lstm.bias_ih_l${layer}`, shape: [4 * h] },
      { name: `lstm.bias_hh_l${layer}`, shape: [4 * h] },
    );
  }
  shapes.push({ name: "fc.weight", shape: [horizon, h] }, { name: "fc.bias", shape: [horizon] });
  if (spec.highway) {
    shapes.push(
      { name: "highway.weight", shape: [horizon, spec.windowSize] },
      { name: "highway.bias", shape: [horizon] },
    );
  }
  shapes.push(...covariateHeadShapes(spec));
  if (spec.quantiles) shapes.push(...quantileHeadShapes(horizon, h, spec.quantiles));
  return shapes;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
