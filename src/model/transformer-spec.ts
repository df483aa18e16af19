import { checkedFeatures, covariateHeadShapes, featureCount } from "./feature-input.ts";
import { checkedQuantiles, quantileHeadShapes } from "./quantile-head.ts";
import type { ParamShape } from "./spec.ts";

/**
 * The saved shape of a Transformer encoder forecaster, kept apart from the runtime objects: `x[batch, window]`
 * → per-step Linear(1 → dModel) + sinusoidal positions → `layers` post-norm encoder layers (multi-head
 * self-attention, ReLU feed-forward of width `ffn`) → last position → Linear(dModel → horizon).
 */
export interface TransformerSpec {
  architecture: "transformer";
  windowSize: number;
  horizon: number;
  dModel: number;
  heads: number;
  ffn: number;
  layers: number;
  /** Adds a linear map from the raw window to the horizon (LSTNet's highway); absent means off. */
  highway?: boolean;
  /** The probabilities of a quantile head on the last position (`quantile-head.ts`); absent: no head. */
  quantiles?: number[];
  /** Standardized features per period beside the window (`feature-input.ts`); absent: the sales alone. */
  features?: number;
  /** The feature columns the network reads, ascending; absent: all of them. */
  featureColumns?: number[];
}

/** The prefix of encoder layer `layer`'s parameters, as in PyTorch's `nn.TransformerEncoder`. */
export function encoderLayerPrefix(layer: number): string {
  return `encoder.layers.${layer}`;
}

/** Parameter names and shapes in PyTorch's layout and `named_parameters()` order (in_proj stacks q, k, v). */
export function transformerParamShapes(spec: TransformerSpec): ParamShape[] {
  const { dModel: d, ffn, layers, horizon } = spec;
  const shapes: ParamShape[] = [
    { name: "embed.weight", shape: [d, 1 + featureCount(spec)] },
    { name: "embed.bias", shape: [d] },
  ];
  for (let layer = 0; layer < layers; layer++) {
    const p = encoderLayerPrefix(layer);
    shapes.push(
      { name: `${p}.self_attn.in_proj_weight`, shape: [3 * d, d] },
      { name: `${p}.self_attn.in_proj_bias`, shape: [3 * d] },
      { name: `${p}.self_attn.out_proj.weight`, shape: [d, d] },
      { name: `${p}.self_attn.out_proj.bias`, shape: [d] },
      { name: `${p}.linear1.weight`, shape: [ffn, d] },
      { name: `${p}.linear1.bias`, shape: [ffn] },
      { name: `${p}.linear2.weight`, shape: [d, ffn] },
      { name: `${p}.linear2.bias`, shape: [d] },
      { name: `${p}.norm1.weight`, shape: [d] },
      { name: `${p}.norm1.bias`, shape: [d] },
      { name: `${p}.norm2.weight`, shape: [d] },
      { name: `${p}.norm2.bias`, shape: [d] },
    );
  }
  shapes.push({ name: "head.weight", shape: [horizon, d] }, { name: "head.bias", shape: [horizon] });
  if (spec.highway) {
    shapes.push(
      { name: "highway.weight", shape: [horizon, spec.windowSize] },
      { name: "highway.bias", shape: [horizon] },
    );
  }
  shapes.push(...covariateHeadShapes(spec));
  if (spec.quantiles) shapes.push(...quantileHeadShapes(horizon, d, spec.quantiles));
  return shapes;
}

/** Checks a spec read from a file, a config or a caller; throws naming the first field that is wrong. */
export function validateTransformerSpec(value: unknown): TransformerSpec {
  if (typeof value !== "object" || value === null) throw new Error("spec must be an object");
  const spec = value as Record<string, unknown>;
  if (spec.architecture !== "transformer") {
    throw new Error(`spec.architecture must be "transformer", got ${JSON.stringify(spec.architecture)}`);
  }
  for (const key of ["windowSize", "horizon", "dModel", "heads", "ffn", "layers"] as const) {
    const n = spec[key];
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1) {
      throw new Error(`spec.${key} must be a positive integer, got ${JSON.stringify(n)}`);
    }
  }
  const valid = value as TransformerSpec;
  if (valid.dModel % 2 !== 0) {
    throw new Error(`spec.dModel must be even (sine and cosine positions pair up), got ${valid.dModel}`);
  }
  if (valid.dModel % valid.heads !== 0) {
    throw new Error(`spec.dModel (${valid.dModel}) must be a multiple of spec.heads (${valid.heads})`);
  }
  if (spec.highway !== undefined && typeof spec.highway !== "boolean") {
    throw new Error(`spec.highway must be true or false, got ${JSON.stringify(spec.highway)}`);
  }
  const quantiles = checkedQuantiles(spec.quantiles);
  return {
    architecture: "transformer",
    ...(valid.highway ? { highway: true } : {}),
    windowSize: valid.windowSize,
    horizon: valid.horizon,
    dModel: valid.dModel,
    heads: valid.heads,
    ffn: valid.ffn,
    layers: valid.layers,
    ...(quantiles ? { quantiles } : {}),
    ...checkedFeatures(spec.features, spec.featureColumns),
  };
}
