import { architectureOf, validateSpec } from "./architectures.ts";
import { INPUT_NAME, OUTPUT_NAME, PRODUCER_NAME, SPEC_METADATA_KEY } from "./onnx-format.ts";
import { batchedFloatValue } from "./onnx-graph.ts";
import { type Onnx, onnx } from "./onnx-proto.ts";
import { type NetworkSpec, type ParamShape, sizeOf } from "./spec.ts";

export type ParamValues = ReadonlyMap<string, Float32Array> | Record<string, Float32Array>;

export interface ExportMeta {
  producerVersion?: string;
  docString?: string;
}

/**
 * Writes a network as an ONNX model, in the graph and opset of its architecture: `input` [batch, windowSize]
 * -> `output` [batch, horizon]. The bytes depend only on the arguments (no timestamps), so the same model
 * always exports identically.
 */
export function exportOnnx(spec: NetworkSpec, params: ParamValues, meta: ExportMeta = {}): Uint8Array {
  const checked = validateSpec(spec);
  const architecture = architectureOf(checked);
  const values = checkedParams(architecture.paramShapes(checked), params);
  const body = architecture.onnx.graph(checked, (name) => values.get(name) as Float32Array);
  const model: Onnx.IModelProto = {
    irVersion: architecture.onnx.irVersion,
    opsetImport: [{ domain: "", version: architecture.onnx.opset }],
    producerName: PRODUCER_NAME,
    producerVersion: meta.producerVersion ?? "",
    docString: meta.docString ?? "",
    graph: {
      ...body,
      input: [batchedFloatValue(INPUT_NAME, checked.windowSize)],
      output: [batchedFloatValue(OUTPUT_NAME, checked.horizon)],
    },
    metadataProps: [{ key: SPEC_METADATA_KEY, value: JSON.stringify(checked) }],
  };
  const encoded = onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
  // protobufjs may hand back a slice of a shared Buffer pool; give the caller bytes that own their buffer.
  return new Uint8Array(encoded);
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
