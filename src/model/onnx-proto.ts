import type { onnx as Onnx } from "onnx-proto";
import onnxProto from "onnx-proto";

/**
 * The ONNX protobuf classes, and the conversions between our Float32Arrays and their TensorProto.
 * onnx-proto is CommonJS that fills `module.exports` at run time, so under ESM only its default export
 * carries the `onnx` namespace (a named import type-checks but fails in Node).
 */
export const onnx = onnxProto.onnx;
export type { Onnx };

/** protobufjs decodes int64 fields as Long objects when the `long` package is present, as numbers otherwise. */
type Int64 = number | { toNumber(): number };

export function int64ToNumber(value: Int64): number {
  return typeof value === "number" ? value : value.toNumber();
}

/** A float32 tensor stored as little-endian raw_data, whatever the byte order or byteOffset of `data`. */
export function floatTensor(name: string, dims: readonly number[], data: Float32Array): Onnx.ITensorProto {
  const raw = new Uint8Array(data.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  return { name, dims: [...dims], dataType: onnx.TensorProto.DataType.FLOAT, rawData: raw };
}

export function int64Tensor(name: string, values: readonly number[]): Onnx.ITensorProto {
  return { name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, int64Data: [...values] };
}

/** Reads a float32 tensor's values from raw_data (little-endian) or float_data; throws naming the tensor. */
export function readFloatTensor(tensor: Onnx.ITensorProto): Float32Array {
  const name = tensor.name ?? "(unnamed)";
  if (tensor.dataType !== onnx.TensorProto.DataType.FLOAT) {
    throw new Error(`initializer ${name} has data type ${tensor.dataType}, expected FLOAT (1)`);
  }
  const count = (tensor.dims ?? []).reduce<number>((n, d) => n * int64ToNumber(d), 1);
  if (tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    throw new Error(`initializer ${name} keeps its data in an external file, which is not supported`);
  }
  const raw = tensor.rawData;
  if (raw && raw.length > 0) {
    if (raw.length !== count * 4) {
      throw new Error(`initializer ${name} has ${raw.length} bytes of raw_data, expected ${count * 4}`);
    }
    // The decoded raw_data is a view into the file's bytes at any offset, so read it through a DataView.
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
    return out;
  }
  const values = tensor.floatData ?? [];
  if (values.length !== count) {
    throw new Error(`initializer ${name} has ${values.length} float_data values, expected ${count}`);
  }
  return Float32Array.from(values);
}
