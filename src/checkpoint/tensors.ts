import { CheckpointError } from "./errors.ts";
import { STORAGE_TYPES, type TensorRef } from "./unpickle.ts";

const FLOATING = new Set(["FloatStorage", "DoubleStorage", "HalfStorage", "BFloat16Storage"]);

function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Reads element `index` of a little-endian storage of `type` as a number. */
function elementReader(type: string, bytes: Buffer): (index: number) => number {
  switch (type) {
    case "FloatStorage":
      return (i) => bytes.readFloatLE(4 * i);
    case "DoubleStorage":
      return (i) => bytes.readDoubleLE(8 * i);
    case "HalfStorage":
      return (i) => halfToFloat(bytes.readUInt16LE(2 * i));
    case "BFloat16Storage":
      return (i) => {
        const word = Buffer.alloc(4);
        word.writeUInt32LE(bytes.readUInt16LE(2 * i) << 16);
        return word.readFloatLE(0);
      };
    default:
      throw new Error(`no reader for ${type}`);
  }
}

/**
 * The values of a tensor in row-major order, as float32, gathered through its strides from the storage's
 * bytes (`storageBytes`, the archive's data/<key>). `what` names the tensor in errors. A storage file shorter
 * than the storage it holds, or a view reaching past it, is an error rather than a read of zeros.
 */
export function tensorValues(tensor: TensorRef, storageBytes: Buffer, what: string): Float32Array {
  const { storage, shape, stride, offset } = tensor;
  if (!FLOATING.has(storage.type)) {
    throw new CheckpointError(`${what} is stored as ${storage.type}; a parameter must be floating point`);
  }
  const elementSize = STORAGE_TYPES[storage.type];
  const needed = storage.numel * elementSize;
  if (storageBytes.length < needed) {
    throw new CheckpointError(
      `${what}: tensor file data/${storage.key} is truncated: ${storageBytes.length} bytes, its storage of ` +
        `${storage.numel} ${storage.type} elements needs ${needed}`,
    );
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(count);
  if (count === 0) return out;
  const last = offset + shape.reduce((sum, size, axis) => sum + (size - 1) * stride[axis], 0);
  if (last >= storage.numel) {
    throw new CheckpointError(
      `${what} reaches element ${last} of data/${storage.key}, which holds ${storage.numel} elements`,
    );
  }
  const read = elementReader(storage.type, storageBytes);
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < count; i++) {
    let at = offset;
    for (let axis = 0; axis < shape.length; axis++) at += index[axis] * stride[axis];
    out[i] = read(at);
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      if (++index[axis] < shape[axis]) break;
      index[axis] = 0;
    }
  }
  return out;
}
