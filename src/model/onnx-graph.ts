import { type FeatureShape, featureCount, usedColumns } from "./feature-input.ts";
import {
  BATCH_DIM,
  COVARIATES_INPUT_NAME,
  INPUT_NAME,
  OUTPUT_NAME,
  USED_COVARIATES_NAME,
} from "./onnx-format.ts";
import { floatTensor, int64Tensor, type Onnx, onnx } from "./onnx-proto.ts";

/** An architecture's part of an ONNX graph: from the input `input` [batch, window] to `output` [batch, horizon]. */
export interface GraphBody {
  name: string;
  node: Onnx.INodeProto[];
  initializer: Onnx.ITensorProto[];
}

export function op(
  opType: string,
  input: string[],
  output: string[],
  attribute: Onnx.IAttributeProto[] = [],
): Onnx.INodeProto {
  return { opType, input, output, attribute, name: `${opType}_${output.find((o) => o !== "")}` };
}

export function int(name: string, value: number): Onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
}

export function ints(name: string, values: number[]): Onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: values };
}

export function float(name: string, value: number): Onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: value };
}

/** A float tensor value `[batch, width]` whose first dimension is the dynamic, named batch. */
export function batchedFloatValue(name: string, width: number): Onnx.IValueInfoProto {
  return batchedFloatTensor(name, [width]);
}

/** The `covariates` input `[batch, rows, features]` of a model with features. */
export function covariatesValue(rows: number, features: number): Onnx.IValueInfoProto {
  return batchedFloatTensor(COVARIATES_INPUT_NAME, [rows, features]);
}

/** A float tensor value `[batch, ...dims]` whose first dimension is the dynamic, named batch. */
export function batchedFloatTensor(name: string, dims: readonly number[]): Onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: [{ dimParam: BATCH_DIM }, ...dims.map((dimValue) => ({ dimValue }))] },
      },
    },
  };
}

interface HeadShape extends FeatureShape {
  highway?: boolean;
}

/**
 * The output layer `<head>.weight`/`<head>.bias` on `last` [batch, features] into `output`, plus the highway on
 * the raw input when the spec has one, plus the covariate head on the horizon's features when it has
 * features. PyTorch's [out, in] weights go in as they are, through Gemm's transB.
 */
export function headNodes(
  spec: HeadShape,
  param: (name: string) => Float32Array,
  head: { prefix: string; features: number; last: string },
): { node: Onnx.INodeProto[]; initializer: Onnx.ITensorProto[] } {
  const { windowSize, horizon } = spec;
  const { prefix, features, last } = head;
  const initializer = [
    floatTensor(`${prefix}.weight`, [horizon, features], param(`${prefix}.weight`)),
    floatTensor(`${prefix}.bias`, [horizon], param(`${prefix}.bias`)),
  ];
  const transB = [int("transB", 1)];
  const headInputs = [last, `${prefix}.weight`, `${prefix}.bias`];
  const covariates = featureCount(spec);
  // The head alone writes the output; with other terms, their sum does.
  const alone = !spec.highway && covariates === 0;
  const node = [op("Gemm", headInputs, [alone ? OUTPUT_NAME : "head_out"], transB)];
  const terms = ["head_out"];
  if (spec.highway) {
    initializer.push(
      floatTensor("highway.weight", [horizon, windowSize], param("highway.weight")),
      floatTensor("highway.bias", [horizon], param("highway.bias")),
    );
    node.push(op("Gemm", [INPUT_NAME, "highway.weight", "highway.bias"], ["highway_out"], transB));
    terms.push("highway_out");
  }
  if (covariates > 0) {
    initializer.push(floatTensor("covariates.weight", [horizon, covariates], param("covariates.weight")));
    const head = horizonFeatureTerms(spec, USED_COVARIATES_NAME, "covariates.weight", "covariate_out");
    node.push(...head.node);
    initializer.push(...head.initializer);
    terms.push("covariate_out");
  }
  if (!alone) node.push(op("Sum", terms, [OUTPUT_NAME]));
  return { node, initializer };
}

/**
 * `output` [batch, horizon] = Σ_f weight[k, f] · features[:, W + k, f]: the horizon's rows of `features`
 * [batch, W + H, F] times the initializer `weight` [H, F], summed over the features. Also names `horizon_start`
 * (W), `time_axis` and `feature_axis` for the caller's other slices.
 */
export function horizonFeatureTerms(
  shape: { windowSize: number; horizon: number },
  features: string,
  weight: string,
  output: string,
): { node: Onnx.INodeProto[]; initializer: Onnx.ITensorProto[] } {
  const { windowSize, horizon } = shape;
  return {
    node: [
      op("Slice", [features, "horizon_start", "horizon_end", "time_axis"], [`${output}_rows`]),
      op("Mul", [`${output}_rows`, weight], [`${output}_terms`]),
      op("ReduceSum", [`${output}_terms`, "feature_axis"], [output], [int("keepdims", 0)]),
    ],
    initializer: [
      int64Tensor("horizon_start", [windowSize]),
      int64Tensor("horizon_end", [windowSize + horizon]),
      int64Tensor("time_axis", [1]),
      int64Tensor("feature_axis", [2]),
    ],
  };
}

/** `used_covariates`: the columns of the `covariates` input the network reads, gathered (all: as they are). */
export function usedCovariatesNode(spec: FeatureShape): {
  node: Onnx.INodeProto;
  initializer: Onnx.ITensorProto[];
} {
  if (!spec.featureColumns) {
    return { node: op("Identity", [COVARIATES_INPUT_NAME], [USED_COVARIATES_NAME]), initializer: [] };
  }
  return {
    node: op("Gather", [COVARIATES_INPUT_NAME, "feature_columns"], [USED_COVARIATES_NAME], [int("axis", 2)]),
    initializer: [int64Tensor("feature_columns", usedColumns(spec))],
  };
}

/**
 * The first-layer input of a network with features: `input` [batch, W] unsqueezed to one channel and the
 * window's rows of `used_covariates` [batch, W, F], joined along `axis` (1: channels first [batch, 1 + F, W] for a
 * convolution, 2: [batch, W, 1 + F] per step for an embedding) into `output`.
 */
export function windowWithFeatures(
  windowSize: number,
  axis: 1 | 2,
  output: string,
): { node: Onnx.INodeProto[]; initializer: Onnx.ITensorProto[] } {
  const initializer = [
    int64Tensor("window_start", [0]),
    int64Tensor("window_end", [windowSize]),
    int64Tensor("window_axis", [1]),
    int64Tensor("channel_axis", [axis]),
  ];
  const node = [
    op("Unsqueeze", [INPUT_NAME, "channel_axis"], ["window_channel"]),
    op("Slice", [USED_COVARIATES_NAME, "window_start", "window_end", "window_axis"], ["window_rows"]),
  ];
  if (axis === 1) node.push(op("Transpose", ["window_rows"], ["window_features"], [ints("perm", [0, 2, 1])]));
  const features = axis === 1 ? "window_features" : "window_rows";
  node.push(op("Concat", ["window_channel", features], [output], [int("axis", axis)]));
  return { node, initializer };
}
