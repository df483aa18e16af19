/**
 * An unpickler for torch.save's data.pkl that understands only what a state dict needs and never calls
 * anything. Python's pickle runs whatever callable a file names; this one knows three kinds of global
 * (collections.OrderedDict, torch._utils._rebuild_tensor_v2 and torch's storage types), turns their use into
 * plain data, and refuses the file at the first other global or reduce. Everything else a Lightning
 * checkpoint holds (loops, callbacks, optimizer states) comes out as inert dicts, lists and tensor references.
 */
import { CheckpointError } from "./errors.ts";

export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | PickleTuple
  | PickleList
  | PickleDict
  | PickleGlobal
  | StorageRef
  | TensorRef;

export class PickleTuple {
  constructor(readonly items: readonly PickleValue[]) {}
}

export class PickleList {
  readonly items: PickleValue[] = [];
}

/** A dict or an OrderedDict; `state` is what a BUILD gave an OrderedDict (its `_metadata`), kept inert. */
export class PickleDict {
  readonly entries = new Map<PickleValue, PickleValue>();
  state: PickleValue | undefined;
  constructor(readonly ordered: boolean) {}
}

/** One of the allowed globals, named by the file; it is only ever compared, never called. */
export class PickleGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/** torch's storage types and the size of one element, in bytes. */
export const STORAGE_TYPES: Readonly<Record<string, number>> = {
  FloatStorage: 4,
  DoubleStorage: 8,
  HalfStorage: 2,
  BFloat16Storage: 2,
  LongStorage: 8,
  IntStorage: 4,
  ShortStorage: 2,
  CharStorage: 1,
  ByteStorage: 1,
  BoolStorage: 1,
};

/** A tensor storage the pickle points at: the file `data/<key>` of the archive, `numel` elements of `type`. */
export interface StorageRef {
  kind: "storage";
  type: string;
  key: string;
  location: string;
  numel: number;
}

/** A tensor as `_rebuild_tensor_v2` would build it: a view of a storage, not read until asked for. */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
  ) {}
}

const ORDERED_DICT = "collections.OrderedDict";
const REBUILD_TENSOR = "torch._utils._rebuild_tensor_v2";

function isAllowedGlobal(module: string, name: string): boolean {
  const qualified = `${module}.${name}`;
  if (qualified === ORDERED_DICT || qualified === REBUILD_TENSOR) return true;
  return module === "torch" && Object.hasOwn(STORAGE_TYPES, name);
}

const ALLOWED =
  "only collections.OrderedDict, torch._utils._rebuild_tensor_v2 and torch's storage types are allowed, " +
  "and none of them is ever called";

// Protocol 2 opcodes, as pickle.py names them.
const OP = {
  MARK: 0x28,
  STOP: 0x2e,
  POP: 0x30,
  POP_MARK: 0x31,
  DUP: 0x32,
  BINFLOAT: 0x47,
  BININT: 0x4a,
  BININT1: 0x4b,
  BININT2: 0x4d,
  NONE: 0x4e,
  BINPERSID: 0x51,
  REDUCE: 0x52,
  BINSTRING: 0x54,
  SHORT_BINSTRING: 0x55,
  BINUNICODE: 0x58,
  EMPTY_LIST: 0x5d,
  APPEND: 0x61,
  BUILD: 0x62,
  GLOBAL: 0x63,
  DICT: 0x64,
  APPENDS: 0x65,
  BINGET: 0x68,
  LONG_BINGET: 0x6a,
  LIST: 0x6c,
  BINPUT: 0x71,
  LONG_BINPUT: 0x72,
  SETITEM: 0x73,
  TUPLE: 0x74,
  SETITEMS: 0x75,
  EMPTY_DICT: 0x7d,
  EMPTY_TUPLE: 0x29,
  PROTO: 0x80,
  TUPLE1: 0x85,
  TUPLE2: 0x86,
  TUPLE3: 0x87,
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
  LONG1: 0x8a,
} as const;

/** Opcodes that build objects by calling what the file names: refused by name, whatever they would call. */
const CALLING_OPCODES: Readonly<Record<number, string>> = {
  105: "INST",
  111: "OBJ",
  129: "NEWOBJ",
  146: "NEWOBJ_EX",
  130: "EXT1",
  131: "EXT2",
  132: "EXT4",
  147: "STACK_GLOBAL",
  80: "PERSID",
};

class Unpickler {
  private at = 0;
  private stack: PickleValue[] = [];
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, PickleValue>();
  private readonly storages = new Map<string, StorageRef>();

  constructor(
    private readonly bytes: Buffer,
    private readonly source: string,
  ) {}

  private fail(message: string, at = this.at): never {
    throw new CheckpointError(`${this.source}: ${message} (at byte ${at})`);
  }

  private take(count: number): Buffer {
    if (this.at + count > this.bytes.length) this.fail("is truncated");
    const slice = this.bytes.subarray(this.at, this.at + count);
    this.at += count;
    return slice;
  }

  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.at);
    if (end < 0) this.fail("is truncated (a GLOBAL has no end of line)");
    const text = this.bytes.toString("latin1", this.at, end);
    this.at = end + 1;
    return text;
  }

  private pop(): PickleValue {
    if (this.stack.length === 0 || this.stack.length <= (this.marks.at(-1) ?? -1)) {
      this.fail("pops an empty stack");
    }
    return this.stack.pop() as PickleValue;
  }

  private top(): PickleValue {
    if (this.stack.length === 0) this.fail("reads an empty stack");
    return this.stack[this.stack.length - 1];
  }

  private popMark(): PickleValue[] {
    const mark = this.marks.pop();
    if (mark === undefined) this.fail("closes a mark that was never opened");
    const items = this.stack.slice(mark);
    this.stack.length = mark;
    return items;
  }

  private put(index: number): void {
    this.memo.set(index, this.top());
  }

  private get(index: number): void {
    if (!this.memo.has(index)) this.fail(`refers to memo entry ${index}, which was never stored`);
    this.stack.push(this.memo.get(index) as PickleValue);
  }

  run(): PickleValue {
    while (this.at < this.bytes.length) {
      const start = this.at;
      const op = this.take(1)[0];
      if (op === OP.STOP) {
        if (this.stack.length !== 1 || this.marks.length > 0)
          this.fail("stops with a malformed stack", start);
        return this.stack[0];
      }
      this.step(op, start);
    }
    return this.fail("is truncated (no STOP opcode)");
  }

  private step(op: number, start: number): void {
    switch (op) {
      case OP.PROTO: {
        const protocol = this.take(1)[0];
        if (protocol > 2) this.fail(`uses pickle protocol ${protocol}; torch.save writes protocol 2`, start);
        return;
      }
      case OP.MARK:
        this.marks.push(this.stack.length);
        return;
      case OP.POP:
        this.pop();
        return;
      case OP.POP_MARK:
        this.popMark();
        return;
      case OP.DUP:
        this.stack.push(this.top());
        return;
      case OP.NONE:
        this.stack.push(null);
        return;
      case OP.NEWTRUE:
        this.stack.push(true);
        return;
      case OP.NEWFALSE:
        this.stack.push(false);
        return;
      case OP.BININT:
        this.stack.push(this.take(4).readInt32LE(0));
        return;
      case OP.BININT1:
        this.stack.push(this.take(1)[0]);
        return;
      case OP.BININT2:
        this.stack.push(this.take(2).readUInt16LE(0));
        return;
      case OP.LONG1:
        this.stack.push(this.long(this.take(this.take(1)[0])));
        return;
      case OP.BINFLOAT:
        this.stack.push(this.take(8).readDoubleBE(0));
        return;
      case OP.BINUNICODE:
        this.stack.push(this.take(this.take(4).readUInt32LE(0)).toString("utf8"));
        return;
      case OP.SHORT_BINSTRING:
        this.stack.push(this.take(this.take(1)[0]).toString("latin1"));
        return;
      case OP.BINSTRING: {
        const length = this.take(4).readInt32LE(0);
        if (length < 0) this.fail("has a string of negative length", start);
        this.stack.push(this.take(length).toString("latin1"));
        return;
      }
      case OP.EMPTY_TUPLE:
        this.stack.push(new PickleTuple([]));
        return;
      case OP.TUPLE1:
      case OP.TUPLE2:
      case OP.TUPLE3: {
        const count = op - OP.TUPLE1 + 1;
        const items = Array.from({ length: count }, () => this.pop()).reverse();
        this.stack.push(new PickleTuple(items));
        return;
      }
      case OP.TUPLE:
        this.stack.push(new PickleTuple(this.popMark()));
        return;
      case OP.EMPTY_LIST:
        this.stack.push(new PickleList());
        return;
      case OP.LIST: {
        const list = new PickleList();
        list.items.push(...this.popMark());
        this.stack.push(list);
        return;
      }
      case OP.APPEND: {
        const item = this.pop();
        this.listOnTop(start).items.push(item);
        return;
      }
      case OP.APPENDS: {
        const items = this.popMark();
        this.listOnTop(start).items.push(...items);
        return;
      }
      case OP.EMPTY_DICT:
        this.stack.push(new PickleDict(false));
        return;
      case OP.DICT: {
        const dict = new PickleDict(false);
        this.setItems(dict, this.popMark(), start);
        this.stack.push(dict);
        return;
      }
      case OP.SETITEM: {
        const value = this.pop();
        const key = this.pop();
        this.dictOnTop(start).entries.set(key, value);
        return;
      }
      case OP.SETITEMS: {
        const items = this.popMark();
        this.setItems(this.dictOnTop(start), items, start);
        return;
      }
      case OP.BINPUT:
        this.put(this.take(1)[0]);
        return;
      case OP.LONG_BINPUT:
        this.put(this.take(4).readUInt32LE(0));
        return;
      case OP.BINGET:
        this.get(this.take(1)[0]);
        return;
      case OP.LONG_BINGET:
        this.get(this.take(4).readUInt32LE(0));
        return;
      case OP.GLOBAL: {
        const module = this.line();
        const name = this.line();
        if (!isAllowedGlobal(module, name)) {
          this.fail(`asks for the global '${module}.${name}', which is refused: ${ALLOWED}`, start);
        }
        this.stack.push(new PickleGlobal(module, name));
        return;
      }
      case OP.REDUCE: {
        const args = this.pop();
        const callable = this.pop();
        this.stack.push(this.reduce(callable, args, start));
        return;
      }
      case OP.BUILD: {
        const state = this.pop();
        const target = this.top();
        if (!(target instanceof PickleDict && target.ordered)) {
          this.fail(`sets the state of ${describe(target)}; only an OrderedDict's state is kept`, start);
        }
        target.state = state;
        return;
      }
      case OP.BINPERSID:
        this.stack.push(this.storage(this.pop(), start));
        return;
      default: {
        const calling = CALLING_OPCODES[op];
        if (calling !== undefined) {
          this.fail(`uses the ${calling} opcode, which would call or import code; it is refused`, start);
        }
        this.fail(`uses opcode 0x${op.toString(16).padStart(2, "0")}, which a state dict never needs`, start);
      }
    }
  }

  private long(bytes: Buffer): number | bigint {
    let value = 0n;
    for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]);
    if (bytes.length > 0 && bytes[bytes.length - 1] & 0x80) value -= 1n << BigInt(8 * bytes.length);
    const safe = value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER);
    return safe ? Number(value) : value;
  }

  private listOnTop(start: number): PickleList {
    const target = this.top();
    if (!(target instanceof PickleList)) this.fail(`appends to ${describe(target)}, not a list`, start);
    return target;
  }

  private dictOnTop(start: number): PickleDict {
    const target = this.top();
    if (!(target instanceof PickleDict)) this.fail(`sets an item of ${describe(target)}, not a dict`, start);
    return target;
  }

  private setItems(dict: PickleDict, items: PickleValue[], start: number): void {
    if (items.length % 2 !== 0) this.fail("sets dict items from an odd number of values", start);
    for (let i = 0; i < items.length; i += 2) dict.entries.set(items[i], items[i + 1]);
  }

  /** The only calls a state dict makes: `OrderedDict()` and `_rebuild_tensor_v2(...)`, both turned into data. */
  private reduce(callable: PickleValue, args: PickleValue, start: number): PickleValue {
    const name = callable instanceof PickleGlobal ? callable.qualifiedName : undefined;
    if (!(args instanceof PickleTuple))
      this.fail(`reduces ${name ?? describe(callable)} with non-tuple arguments`, start);
    if (name === ORDERED_DICT) {
      if (args.items.length !== 0)
        this.fail("builds an OrderedDict with arguments; only OrderedDict() is read", start);
      return new PickleDict(true);
    }
    if (name === REBUILD_TENSOR) return this.tensor(args.items, start);
    return this.fail(
      `reduces ${name ?? describe(callable)}, which is refused: only OrderedDict() and ` +
        "_rebuild_tensor_v2(...) are read, and neither is called",
      start,
    );
  }

  /** `_rebuild_tensor_v2(storage, offset, size, stride, requires_grad, backward_hooks[, metadata])`. */
  private tensor(args: readonly PickleValue[], start: number): TensorRef {
    const [storage, offset, size, stride] = args;
    if (args.length < 6 || args.length > 7) {
      this.fail(`calls _rebuild_tensor_v2 with ${args.length} arguments, expected 6 or 7`, start);
    }
    if (!isStorage(storage)) this.fail("rebuilds a tensor from something that is not a storage", start);
    const shape = intTuple(size);
    const strides = intTuple(stride);
    if (!isCount(offset) || shape === undefined || strides === undefined || shape.length !== strides.length) {
      this.fail("rebuilds a tensor with a malformed offset, size or stride", start);
    }
    return new TensorRef(storage, offset, shape, strides);
  }

  /** A persistent id: `('storage', torch.<Type>Storage, key, location, numel)`. */
  private storage(pid: PickleValue, start: number): StorageRef {
    const items = pid instanceof PickleTuple ? pid.items : [];
    const [tag, type, key, location, numel] = items;
    const valid =
      items.length === 5 &&
      tag === "storage" &&
      type instanceof PickleGlobal &&
      type.module === "torch" &&
      Object.hasOwn(STORAGE_TYPES, type.name) &&
      typeof key === "string" &&
      typeof location === "string" &&
      isCount(numel);
    if (!valid) this.fail("has a persistent id that is not a torch storage", start);
    const known = this.storages.get(key);
    if (known !== undefined) {
      if (known.type !== type.name)
        this.fail(`reads storage '${key}' as ${known.type} and ${type.name}`, start);
      return known;
    }
    const ref: StorageRef = { kind: "storage", type: type.name, key, location, numel };
    this.storages.set(key, ref);
    return ref;
  }
}

function isCount(value: PickleValue | undefined): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
}

function intTuple(value: PickleValue | undefined): number[] | undefined {
  if (!(value instanceof PickleTuple)) return undefined;
  const items = value.items;
  return items.every(isCount) ? (items as number[]) : undefined;
}

function isStorage(value: PickleValue | undefined): value is StorageRef {
  return typeof value === "object" && value !== null && (value as StorageRef).kind === "storage";
}

function describe(value: PickleValue): string {
  if (value === null) return "None";
  if (value instanceof PickleGlobal) return value.qualifiedName;
  if (value instanceof PickleTuple) return "a tuple";
  if (value instanceof PickleList) return "a list";
  if (value instanceof PickleDict) return value.ordered ? "an OrderedDict" : "a dict";
  if (value instanceof TensorRef) return "a tensor";
  if (isStorage(value)) return "a storage";
  return `a ${typeof value}`;
}

/** Reads a torch.save pickle into plain data; `source` names it in errors. Never runs anything it names. */
export function unpickle(bytes: Buffer, source: string): PickleValue {
  return new Unpickler(bytes, source).run();
}
