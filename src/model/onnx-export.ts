import {
  BATCH_DIM,
  INPUT_NAME,
  IR_VERSION,
  lstmInitializerNames,
  OPSET_VERSION,
  OUTPUT_NAME,
  PRODUCER_NAME,
  pytorchToOnnxGates,
  SPEC_METADATA_KEY,
  validateCnnLstmSpec,
} from "./onnx-format.ts";
import { floatTensor, int64Tensor, type Onnx, onnx } from "./onnx-proto.ts";
import { type CnnLstmSpec, cnnLstmParamShapes, sizeOf } from "./spec.ts";

export type ParamValues = ReadonlyMap<string, Float32Array> | Record<string, Float32Array>;

export interface ExportMeta {
  producerVersion?: string;
  docString?: string;
}

/**
 * Writes a CNN-LSTM as an ONNX model: `input` [batch, windowSize] -> `output` [batch, horizon].
 * The bytes depend only on the arguments (no timestamps), so the same model always exports identically.
 */
export function exportOnnx(spec: CnnLstmSpec, params: ParamValues, meta: ExportMeta = {}): Uint8Array {
  const checked = validateCnnLstmSpec(spec);
  const values = checkedParams(checked, params);
  const model: Onnx.IModelProto = {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: "", version: OPSET_VERSION }],
    producerName: PRODUCER_NAME,
    producerVersion: meta.producerVersion ?? "",
    docString: meta.docString ?? "",
    graph: cnnLstmGraph(checked, values),
    metadataProps: [{ key: SPEC_METADATA_KEY, value: JSON.stringify(checked) }],
  };
  const encoded = onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
  // protobufjs may hand back a slice of a shared Buffer pool; give the caller bytes that own their buffer.
  return new Uint8Array(encoded);
}

function checkedParams(spec: CnnLstmSpec, params: ParamValues): Map<string, Float32Array> {
  const given = new Map(isMap(params) ? params : Object.entries(params));
  const checked = new Map<string, Float32Array>();
  for (const { name, shape } of cnnLstmParamShapes(spec)) {
    const data = given.get(name);
    if (!data) throw new Error(`cannot export: parameter ${name} is missing`);
    if (data.length !== sizeOf(shape)) {
      throw new Error(
        `cannot export: parameter ${name} has ${data.length} values, expected ${sizeOf(shape)} for shape [${shape}]`,
      );
    }
    checked.set(name, data);
    given.delete(name);
  }
  if (given.size > 0) {
    throw new Error(`cannot export: parameters not in the spec: ${[...given.keys()].join(", ")}`);
  }
  return checked;
}

function isMap(params: ParamValues): params is ReadonlyMap<string, Float32Array> {
  return typeof (params as ReadonlyMap<string, Float32Array>).get === "function";
}

function cnnLstmGraph(spec: CnnLstmSpec, params: Map<string, Float32Array>): Onnx.IGraphProto {
  const { windowSize, horizon, convChannels, kernelSize, lstmHidden, lstmLayers } = spec;
  const param = (name: string) => params.get(name) as Float32Array;
  const initializer: Onnx.ITensorProto[] = [
    int64Tensor("axes_0", [0]),
    int64Tensor("axes_1", [1]),
    floatTensor("conv.weight", [convChannels, 1, kernelSize], param("conv.weight")),
    floatTensor("conv.bias", [convChannels], param("conv.bias")),
  ];
  const node: Onnx.INodeProto[] = [
    op("Unsqueeze", [INPUT_NAME, "axes_1"], ["channels_first"]), // [B, 1, T]
    op(
      "Conv",
      ["channels_first", "conv.weight", "conv.bias"],
      ["conv_out"],
      [ints("kernel_shape", [kernelSize])],
    ),
    op("Relu", ["conv_out"], ["conv_relu"]), // [B, C, T']
    op("Transpose", ["conv_relu"], ["lstm_in_l0"], [ints("perm", [2, 0, 1])]), // [T', B, C], time-major
  ];

  for (let layer = 0; layer < lstmLayers; layer++) {
    const names = lstmInitializerNames(layer);
    const inputSize = layer === 0 ? convChannels : lstmHidden;
    const biasIh = pytorchToOnnxGates(param(`lstm.bias_ih_l${layer}`));
    const biasHh = pytorchToOnnxGates(param(`lstm.bias_hh_l${layer}`));
    const bias = new Float32Array(8 * lstmHidden);
    bias.set(biasIh, 0);
    bias.set(biasHh, 4 * lstmHidden);
    initializer.push(
      floatTensor(
        names.w,
        [1, 4 * lstmHidden, inputSize],
        pytorchToOnnxGates(param(`lstm.weight_ih_l${layer}`)),
      ),
      floatTensor(
        names.r,
        [1, 4 * lstmHidden, lstmHidden],
        pytorchToOnnxGates(param(`lstm.weight_hh_l${layer}`)),
      ),
      floatTensor(names.b, [1, 8 * lstmHidden], bias),
    );
    const lstmInputs = [`lstm_in_l${layer}`, names.w, names.r, names.b];
    const hiddenSize = [int("hidden_size", lstmHidden)];
    if (layer < lstmLayers - 1) {
      // Y is [T', num_directions=1, B, H]; the next layer wants [T', B, H].
      node.push(
        op("LSTM", lstmInputs, [`lstm_y_l${layer}`], hiddenSize),
        op("Squeeze", [`lstm_y_l${layer}`, "axes_1"], [`lstm_in_l${layer + 1}`]),
      );
    } else {
      // Only the last hidden state Y_h [1, B, H] feeds the head; "" leaves the optional Y unproduced.
      node.push(
        op("LSTM", lstmInputs, ["", "lstm_last_h"], hiddenSize),
        op("Squeeze", ["lstm_last_h", "axes_0"], ["last_hidden"]),
      );
    }
  }

  initializer.push(
    floatTensor("fc.weight", [horizon, lstmHidden], param("fc.weight")),
    floatTensor("fc.bias", [horizon], param("fc.bias")),
  );
  const transB = [int("transB", 1)];
  if (!spec.highway) {
    node.push(op("Gemm", ["last_hidden", "fc.weight", "fc.bias"], [OUTPUT_NAME], transB));
  } else {
    initializer.push(
      floatTensor("highway.weight", [horizon, windowSize], param("highway.weight")),
      floatTensor("highway.bias", [horizon], param("highway.bias")),
    );
    node.push(
      op("Gemm", ["last_hidden", "fc.weight", "fc.bias"], ["head_out"], transB),
      op("Gemm", [INPUT_NAME, "highway.weight", "highway.bias"], ["highway_out"], transB),
      op("Add", ["head_out", "highway_out"], [OUTPUT_NAME]),
    );
  }

  return {
    name: "salescast_cnn_lstm",
    node,
    initializer,
    input: [batchedFloatValue(INPUT_NAME, windowSize)],
    output: [batchedFloatValue(OUTPUT_NAME, horizon)],
  };
}

function op(
  opType: string,
  input: string[],
  output: string[],
  attribute: Onnx.IAttributeProto[] = [],
): Onnx.INodeProto {
  return { opType, input, output, attribute, name: `${opType}_${output.find((o) => o !== "")}` };
}

function int(name: string, value: number): Onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
}

function ints(name: string, values: number[]): Onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: values };
}

/** A float tensor value `[batch, width]` whose first dimension is the dynamic, named batch. */
function batchedFloatValue(name: string, width: number): Onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: [{ dimParam: BATCH_DIM }, { dimValue: width }] },
      },
    },
  };
}

/** The shape of a linear autoregression's graph: one Gemm from the window to the horizon. */
export interface LinearSpec {
  architecture: "linear";
  windowSize: number;
  horizon: number;
}

/**
 * Writes a linear map as an ONNX model: `input` [batch, windowSize] -> `output` = input · weightᵀ + bias, with
 * `linear.weight` [horizon, windowSize] row-major. Deterministic bytes, as `exportOnnx`.
 */
export function exportLinearOnnx(
  spec: LinearSpec,
  weight: Float32Array,
  bias: Float32Array,
  meta: ExportMeta = {},
): Uint8Array {
  const { windowSize, horizon } = spec;
  if (weight.length !== horizon * windowSize || bias.length !== horizon) {
    throw new Error(
      `cannot export: a linear map [${horizon}, ${windowSize}] needs ${horizon * windowSize} weights and ${horizon} biases, got ${weight.length} and ${bias.length}`,
    );
  }
  const graph: Onnx.IGraphProto = {
    name: "salescast_linear",
    node: [op("Gemm", [INPUT_NAME, "linear.weight", "linear.bias"], [OUTPUT_NAME], [int("transB", 1)])],
    initializer: [
      floatTensor("linear.weight", [horizon, windowSize], weight),
      floatTensor("linear.bias", [horizon], bias),
    ],
    input: [batchedFloatValue(INPUT_NAME, windowSize)],
    output: [batchedFloatValue(OUTPUT_NAME, horizon)],
  };
  const model: Onnx.IModelProto = {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: "", version: OPSET_VERSION }],
    producerName: PRODUCER_NAME,
    producerVersion: meta.producerVersion ?? "",
    docString: meta.docString ?? "",
    graph,
    metadataProps: [{ key: SPEC_METADATA_KEY, value: JSON.stringify(spec) }],
  };
  return new Uint8Array(onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish());
}
