import { architectureOf, validateSpec } from "./architectures.ts";
import { inputFeatures } from "./feature-input.ts";
import {
  FEATURES_NAME,
  INPUT_NAME,
  OUTPUT_NAME,
  PRODUCER_NAME,
  QUANTILES_NAME,
  SPEC_METADATA_KEY,
} from "./onnx-format.ts";
import {
  batchedFloatTensor,
  batchedFloatValue,
  covariatesValue,
  int,
  op,
  usedCovariatesNode,
} from "./onnx-graph.ts";
import { floatTensor, type Onnx, onnx } from "./onnx-proto.ts";
import { quantileHeadNodes } from "./quantile-head-onnx.ts";
import { type NetworkSpec, type ParamShape, sizeOf } from "./spec.ts";

export type ParamValues = ReadonlyMap<string, Float32Array> | Record<string, Float32Array>;

export interface ExportMeta {
  producerVersion?: string;
  docString?: string;
}

/**
 * One graph as the bytes of an ONNX model of `opset` and `irVersion`, with the spec in its metadata. The bytes
 * depend only on the arguments (no timestamps), so the same model always exports identically.
 */
export function encodeModel(
  graph: Onnx.IGraphProto,
  spec: object,
  versions: { opset: number; irVersion: number },
  meta: ExportMeta,
): Uint8Array {
  const model: Onnx.IModelProto = {
    irVersion: versions.irVersion,
    opsetImport: [{ domain: "", version: versions.opset }],
    producerName: PRODUCER_NAME,
    producerVersion: meta.producerVersion ?? "",
    docString: meta.docString ?? "",
    graph,
    metadataProps: [{ key: SPEC_METADATA_KEY, value: JSON.stringify(spec) }],
  };
  const encoded = onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
  // protobufjs may hand back a slice of a shared Buffer pool; give the caller bytes that own their buffer.
  return new Uint8Array(encoded);
}

/**
 * Writes a network as an ONNX model, in the graph and opset of its architecture: `input` [batch, windowSize]
 * (and, with `spec.features`, `covariates` [batch, windowSize + horizon, features]) -> `output` [batch, horizon], and with `spec.quantiles` also `quantiles` [batch, horizon, quantiles]. The bytes depend only on the arguments (no timestamps), so the same model
 * always exports identically.
 */
export function exportOnnx(spec: NetworkSpec, params: ParamValues, meta: ExportMeta = {}): Uint8Array {
  const checked = validateSpec(spec);
  const architecture = architectureOf(checked);
  const values = checkedParams(architecture.paramShapes(checked), params);
  const param = (name: string) => values.get(name) as Float32Array;
  const body = architecture.onnx.graph(checked, param);
  const output = [batchedFloatValue(OUTPUT_NAME, checked.horizon)];
  const { quantiles } = checked;
  if (quantiles) {
    const head = quantileHeadNodes(
      { horizon: checked.horizon, quantiles },
      architecture.featureWidth(checked),
      FEATURES_NAME,
      param,
    );
    body.node.push(...head.node);
    body.initializer.push(...head.initializer);
    output.push(batchedFloatTensor(QUANTILES_NAME, [checked.horizon, quantiles.length]));
  }
  const input = [batchedFloatValue(INPUT_NAME, checked.windowSize)];
  const features = inputFeatures(checked);
  if (features > 0) {
    input.push(covariatesValue(checked.windowSize + checked.horizon, features));
    const used = usedCovariatesNode(checked);
    body.node.unshift(used.node);
    body.initializer.push(...used.initializer);
  }
  const graph = { ...body, input, output };
  return encodeModel(graph, checked, architecture.onnx, meta);
}

function checkedParams(shapes: readonly ParamShape[], params: ParamValues): Map<string, Float32Array> {
  const given = new Map(isMap(params) ? params : Object.entries(params));
  const checked = new Map<string, Float32Array>();
  for (const { name, shape } of shapes) {
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

/** The shape of a linear autoregression's graph: one Gemm from the window to the horizon. */
export interface LinearSpec {
  architecture: "linear";
  windowSize: number;
  horizon: number;
}

/** Opset and IR version of the linear graph: Gemm needs nothing newer. */
const LINEAR_VERSIONS = { opset: 14, irVersion: 7 };

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
  return encodeModel(graph, spec, LINEAR_VERSIONS, meta);
}
