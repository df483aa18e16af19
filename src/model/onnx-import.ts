import { architectureOf, validateSpec } from "./architectures.ts";
import { SPEC_METADATA_KEY } from "./onnx-format.ts";
import { int64ToNumber, type Onnx, onnx, readFloatTensor } from "./onnx-proto.ts";
import type { NetworkSpec } from "./spec.ts";

export interface ImportedModel {
  spec: NetworkSpec;
  /** PyTorch names, shapes and layout, in the order the architecture's `paramShapes(spec)` lists them. */
  params: Map<string, Float32Array>;
}

/** Reads back a model written by `exportOnnx`; throws an Error that names what is wrong with the file. */
export function importOnnx(bytes: Uint8Array): ImportedModel {
  const model = decodeModel(bytes);
  const spec = readSpec(model);
  const initializers = new Map<string, Onnx.ITensorProto>();
  for (const tensor of model.graph?.initializer ?? []) initializers.set(tensor.name ?? "", tensor);
  const architecture = architectureOf(spec);
  const params = architecture.onnx.params(spec, (name, dims) => readInitializer(initializers, name, dims));
  // Return the parameters in the spec's order, the order the engine and a state dict use.
  const ordered = new Map(
    architecture.paramShapes(spec).map(({ name }) => [name, params.get(name) as Float32Array]),
  );
  return { spec, params: ordered };
}

function decodeModel(bytes: Uint8Array): Onnx.ModelProto {
  let model: Onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new Error(`not an ONNX model: protobuf decoding failed (${(error as Error).message})`);
  }
  // Protobuf decodes many arbitrary byte strings without complaint; a model always has a graph and an IR version.
  if (!model.graph || int64ToNumber(model.irVersion) === 0) {
    throw new Error("not an ONNX model: no graph or IR version in the file");
  }
  return model;
}

function readSpec(model: Onnx.ModelProto): NetworkSpec {
  const entry = model.metadataProps.find((prop) => prop.key === SPEC_METADATA_KEY);
  if (!entry?.value) {
    throw new Error(
      `ONNX model lacks the "${SPEC_METADATA_KEY}" metadata, so it was not exported by salescast`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(entry.value);
  } catch (error) {
    throw new Error(`"${SPEC_METADATA_KEY}" metadata is not JSON: ${(error as Error).message}`);
  }
  try {
    return validateSpec(parsed);
  } catch (error) {
    throw new Error(`"${SPEC_METADATA_KEY}" metadata is invalid: ${(error as Error).message}`);
  }
}

function readInitializer(
  initializers: Map<string, Onnx.ITensorProto>,
  name: string,
  expectedDims: number[],
): Float32Array {
  const tensor = initializers.get(name);
  if (!tensor) throw new Error(`ONNX model lacks the initializer ${name}`);
  const dims = (tensor.dims ?? []).map(int64ToNumber);
  if (dims.length !== expectedDims.length || dims.some((d, i) => d !== expectedDims[i])) {
    throw new Error(`initializer ${name} has shape [${dims}], expected [${expectedDims}] for the spec`);
  }
  return readFloatTensor(tensor);
}
