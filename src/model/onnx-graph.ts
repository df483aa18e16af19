import { BATCH_DIM, INPUT_NAME, OUTPUT_NAME } from "./onnx-format.ts";
import { floatTensor, type Onnx, onnx } from "./onnx-proto.ts";

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

interface HeadShape {
  windowSize: number;
  horizon: number;
  highway?: boolean;
}

/**
 * The output layer `<head>.weight`/`<head>.bias` on `last` [batch, features] into `output`, plus the highway on
 * the raw input when the spec has one. PyTorch's [out, in] weights go in as they are, through Gemm's transB.
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
  if (!spec.highway) return { node: [op("Gemm", headInputs, [OUTPUT_NAME], transB)], initializer };
  initializer.push(
    floatTensor("highway.weight", [horizon, windowSize], param("highway.weight")),
    floatTensor("highway.bias", [horizon], param("highway.bias")),
  );
  const node = [
    op("Gemm", headInputs, ["head_out"], transB),
    op("Gemm", [INPUT_NAME, "highway.weight", "highway.bias"], ["highway_out"], transB),
    op("Add", ["head_out", "highway_out"], [OUTPUT_NAME]),
  ];
  return { node, initializer };
}
