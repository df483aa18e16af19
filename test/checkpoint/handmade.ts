/**
 * Hand-written pickle and zip bytes, so the tests can build checkpoints (honest and hostile) without PyTorch.
 * The pickle opcodes are written byte by byte as pickle.py's protocol 2 does.
 */
import { crc32 } from "node:zlib";

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

/** Pickle opcodes as bytes. */
export const op = {
  proto: (n = 2) => Buffer.from([0x80, n]),
  mark: () => Buffer.from("("),
  stop: () => Buffer.from("."),
  global: (module: string, name: string) => Buffer.from(`c${module}\n${name}\n`, "latin1"),
  unicode: (text: string) => {
    const bytes = Buffer.from(text, "utf8");
    return Buffer.concat([Buffer.from("X"), u32(bytes.length), bytes]);
  },
  int: (n: number) => (n < 256 ? Buffer.from([0x4b, n]) : Buffer.concat([Buffer.from("J"), u32(n)])),
  tuple: () => Buffer.from("t"),
  emptyTuple: () => Buffer.from(")"),
  tuple1: () => Buffer.from([0x85]),
  emptyDict: () => Buffer.from("}"),
  setItems: () => Buffer.from("u"),
  setItem: () => Buffer.from("s"),
  reduce: () => Buffer.from("R"),
  build: () => Buffer.from("b"),
  persistentId: () => Buffer.from("Q"),
  newFalse: () => Buffer.from([0x89]),
  none: () => Buffer.from("N"),
};

export const pickle = (...parts: Buffer[]) => Buffer.concat(parts);

export interface HandTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

const intTuple = (values: number[]) => pickle(op.mark(), ...values.map(op.int), op.tuple());

function rowMajorStrides(shape: number[]): number[] {
  const strides = shape.map(() => 1);
  for (let i = shape.length - 2; i >= 0; i--) strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/** `_rebuild_tensor_v2(('storage', torch.FloatStorage, key, 'cpu', numel), 0, shape, stride, False, OrderedDict())` */
export function tensorPickle(
  key: string,
  shape: number[],
  numel: number,
  strides = rowMajorStrides(shape),
): Buffer {
  return pickle(
    op.global("torch._utils", "_rebuild_tensor_v2"),
    op.mark(),
    op.mark(),
    op.unicode("storage"),
    op.global("torch", "FloatStorage"),
    op.unicode(key),
    op.unicode("cpu"),
    op.int(numel),
    op.tuple(),
    op.persistentId(),
    op.int(0),
    intTuple(shape),
    intTuple(strides),
    op.newFalse(),
    op.global("collections", "OrderedDict"),
    op.emptyTuple(),
    op.reduce(),
    op.tuple(),
    op.reduce(),
  );
}

/**
 * A Lightning-like checkpoint: `{"epoch": 3, "state_dict": OrderedDict(name -> tensor), "loops": {...}}`,
 * with `extra` (key, value pairs as pickle bytes) added to the top-level dict.
 */
export function lightningPickle(tensors: HandTensor[], extra: Buffer = Buffer.alloc(0)): Buffer {
  return pickle(
    op.proto(),
    op.emptyDict(),
    op.mark(),
    op.unicode("epoch"),
    op.int(3),
    op.unicode("state_dict"),
    op.global("collections", "OrderedDict"),
    op.emptyTuple(),
    op.reduce(),
    op.mark(),
    ...tensors.map((t, i) => pickle(op.unicode(t.name), tensorPickle(String(i), t.shape, t.values.length))),
    op.setItems(),
    op.unicode("loops"),
    op.emptyDict(),
    op.unicode("fit_loop"),
    op.unicode("inert"),
    op.setItem(),
    extra,
    op.setItems(),
    op.stop(),
  );
}

export interface ZipFileEntry {
  name: string;
  data: Buffer;
}

/** A stored (uncompressed) zip of `entries`, with its central directory. */
export function zipStored(entries: ZipFileEntry[]): Buffer {
  const parts: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBytes = Buffer.from(name, "utf8");
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    parts.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
}

export const floatBytes = (values: Float32Array) =>
  Buffer.from(values.buffer, values.byteOffset, values.byteLength);

export interface CheckpointZipOptions {
  pickleBytes?: Buffer;
  byteOrder?: string;
  /** Replaces the bytes of tensor file `i`. */
  storage?: (i: number, bytes: Buffer) => Buffer;
}

/** A whole checkpoint zip: `archive/data.pkl`, `archive/byteorder`, one `archive/data/<i>` per tensor. */
export function checkpointZip(tensors: HandTensor[], options: CheckpointZipOptions = {}): Buffer {
  return zipStored([
    { name: "archive/data.pkl", data: options.pickleBytes ?? lightningPickle(tensors) },
    { name: "archive/byteorder", data: Buffer.from(options.byteOrder ?? "little") },
    ...tensors.map((t, i) => {
      const bytes = floatBytes(t.values);
      return { name: `archive/data/${i}`, data: options.storage ? options.storage(i, bytes) : bytes };
    }),
    { name: "archive/version", data: Buffer.from("3\n") },
  ]);
}

/** The original's CNN-LSTM shapes (conv 32, kernel 3, hidden 64, horizon 1), each filled with distinct values. */
export function originalShapedTensors(overrides: Record<string, number[]> = {}): HandTensor[] {
  const shapes: [string, number[]][] = [
    ["conv1.weight", [32, 1, 3]],
    ["conv1.bias", [32]],
    ["lstm.weight_ih_l0", [256, 32]],
    ["lstm.weight_hh_l0", [256, 64]],
    ["lstm.bias_ih_l0", [256]],
    ["lstm.bias_hh_l0", [256]],
    ["fc.weight", [1, 64]],
    ["fc.bias", [1]],
  ];
  return shapes.map(([name, shape], k) => {
    const actual = overrides[name] ?? shape;
    const count = actual.reduce((a, b) => a * b, 1);
    const values = Float32Array.from({ length: count }, (_, i) => (k + 1) * 0.001 * ((i % 7) - 3));
    return { name, shape: actual, values };
  });
}
