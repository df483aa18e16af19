/**
 * Just enough of the WebAssembly binary format to assemble the engine's kernels in memory, with no toolchain:
 * LEB128 numbers, a function-body builder with structured loops, and one module layout (a memory import plus
 * exported functions of i32 parameters).
 */

import { FUSED_MULTIPLY_ADD } from "./relaxed-simd.ts";

export const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;

const VOID_BLOCK = 0x40;
const BLOCK = 0x02;
const LOOP = 0x03;
const IF = 0x04;
const ELSE = 0x05;
const END = 0x0b;
const BR = 0x0c;
const BR_IF = 0x0d;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const F32_LOAD = 0x2a;
const F32_STORE = 0x38;
const I32_CONST = 0x41;
const F32_CONST = 0x43;
const I32_EQZ = 0x45;
const I32_LT_S = 0x48;
const I32_ADD = 0x6a;
const I32_SUB = 0x6b;
const I32_MUL = 0x6c;
const I32_SHL = 0x74;
const F32_ADD = 0x92;
const F32_SUB = 0x93;
const F32_MUL = 0x94;
const F32_DIV = 0x95;
const F32_MIN = 0x96;
const F32_MAX = 0x97;
const F32_GT = 0x5e;
const SELECT = 0x1b;
const F32_SQRT = 0x91;
const SIMD = 0xfd;
const V128_LOAD = 0x00;
const V128_LOAD32_SPLAT = 0x09;
const V128_STORE = 0x0b;
const V128_CONST = 0x0c;
const F32X4_ADD = 0xe4;
const F32X4_SUB = 0xe5;
const F32X4_MUL = 0xe6;
const F32X4_DIV = 0xe7;
const F32X4_PMIN = 0xea;
const F32X4_PMAX = 0xeb;
const F32X4_SQRT = 0xe3;
const F32X4_GT = 0x44;
const F32X4_RELAXED_MADD = 0x105;
const V128_AND = 0x4e;

function unsignedLeb(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

function signedLeb(value: number): number[] {
  const bytes: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    const done = (value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}

function vector(items: number[][]): number[] {
  return [...unsignedLeb(items.length), ...items.flat()];
}

function section(id: number, content: number[]): number[] {
  return [id, ...unsignedLeb(content.length), ...content];
}

function utf8(text: string): number[] {
  return vector([...new TextEncoder().encode(text)].map((byte) => [byte]));
}

function simd(opcode: number, ...immediates: number[]): number[] {
  return [SIMD, ...unsignedLeb(opcode), ...immediates];
}

function f32Bytes(value: number): number[] {
  return [...new Uint8Array(Float32Array.of(value).buffer)];
}

/**
 * The float operations of a kernel over one register width: four lanes per v128, or one f32 for the
 * ragged edge of a row. Emitting the same kernel with both keeps the edge code identical to the main code.
 */
export interface Lanes {
  type: number;
  width: number;
  load(offset: number): number[];
  /** Loads the f32 at `offset` into every lane. */
  splatLoad(offset: number): number[];
  store(offset: number): number[];
  constant(value: number): number[];
  add: number[];
  sub: number[];
  mul: number[];
  /**
   * `a · b + c` from operands a, b, c as one fused instruction, where the CPU and V8 give one
   * (FUSED_MULTIPLY_ADD); null means multiply, then add.
   */
  multiplyAdd: number[] | null;
  div: number[];
  /** `min(a, b)` for ordered operands (the result for NaN differs between widths). */
  min: number[];
  max: number[];
  sqrt: number[];
  /** `reference > 0 ? value : 0`, each argument being code that leaves one value. */
  keepWherePositive(value: number[], reference: number[]): number[];
}

const VECTOR_ZERO = simd(V128_CONST, ...new Array<number>(16).fill(0));

export const VECTOR: Lanes = {
  type: V128,
  width: 4,
  load: (offset) => simd(V128_LOAD, 4, ...unsignedLeb(offset)),
  splatLoad: (offset) => simd(V128_LOAD32_SPLAT, 2, ...unsignedLeb(offset)),
  store: (offset) => simd(V128_STORE, 4, ...unsignedLeb(offset)),
  constant: (value) => simd(V128_CONST, ...[0, 1, 2, 3].flatMap(() => f32Bytes(value))),
  add: simd(F32X4_ADD),
  sub: simd(F32X4_SUB),
  mul: simd(F32X4_MUL),
  multiplyAdd: FUSED_MULTIPLY_ADD ? simd(F32X4_RELAXED_MADD) : null,
  div: simd(F32X4_DIV),
  min: simd(F32X4_PMIN),
  max: simd(F32X4_PMAX),
  sqrt: simd(F32X4_SQRT),
  keepWherePositive: (value, reference) => [
    ...value,
    ...reference,
    ...VECTOR_ZERO,
    ...simd(F32X4_GT),
    ...simd(V128_AND),
  ],
};

export const SCALAR: Lanes = {
  type: F32,
  width: 1,
  load: (offset) => [F32_LOAD, 2, ...unsignedLeb(offset)],
  splatLoad: (offset) => [F32_LOAD, 2, ...unsignedLeb(offset)],
  store: (offset) => [F32_STORE, 2, ...unsignedLeb(offset)],
  constant: (value) => [F32_CONST, ...f32Bytes(value)],
  add: [F32_ADD],
  sub: [F32_SUB],
  mul: [F32_MUL],
  multiplyAdd: null,
  div: [F32_DIV],
  min: [F32_MIN],
  max: [F32_MAX],
  sqrt: [F32_SQRT],
  keepWherePositive: (value, reference) => [
    ...value,
    F32_CONST,
    ...f32Bytes(0),
    ...reference,
    F32_CONST,
    ...f32Bytes(0),
    F32_GT,
    SELECT,
  ],
};

/** Expression builders for one register width: each takes code leaving its operands and appends the operation. */
export function arithmetic(lanes: Lanes) {
  const binary =
    (operation: number[]) =>
    (a: number[], b: number[]): number[] => [...a, ...b, ...operation];
  return { add: binary(lanes.add), sub: binary(lanes.sub), mul: binary(lanes.mul), div: binary(lanes.div) };
}

export const i32 = {
  add: [I32_ADD],
  sub: [I32_SUB],
  mul: [I32_MUL],
  lessThan: [I32_LT_S],
  /** `value << 2`: an f32 index as a byte offset. */
  times4: [I32_CONST, 2, I32_SHL],
};

/** A function body under construction: locals are numbered parameters first, then `declare`d groups. */
export class Code {
  private readonly bytes: number[] = [];
  private readonly localGroups: number[][] = [];
  private nextLocal: number;

  constructor(readonly parameterCount: number) {
    this.nextLocal = parameterCount;
  }

  /** Declares `count` locals of `type`, returning their indices. */
  declare(type: number, count: number): number[] {
    this.localGroups.push([...unsignedLeb(count), type]);
    const first = this.nextLocal;
    this.nextLocal += count;
    return Array.from({ length: count }, (_, i) => first + i);
  }

  emit(...parts: number[][]): this {
    for (const part of parts) this.bytes.push(...part);
    return this;
  }

  get(local: number): number[] {
    return [LOCAL_GET, ...unsignedLeb(local)];
  }

  set(local: number): number[] {
    return [LOCAL_SET, ...unsignedLeb(local)];
  }

  i32(value: number): number[] {
    return [I32_CONST, ...signedLeb(value)];
  }

  /** `local += amount`, where `amount` is code leaving an i32. */
  increment(local: number, amount: number[]): this {
    return this.emit(this.get(local), amount, i32.add, this.set(local));
  }

  /** `while (condition) body()`, the condition leaving an i32 on the stack. */
  whileLoop(condition: number[], body: () => void): this {
    this.emit([BLOCK, VOID_BLOCK, LOOP, VOID_BLOCK], condition, [I32_EQZ, BR_IF, 1]);
    body();
    return this.emit([BR, 0, END, END]);
  }

  /** `if (condition) then() else otherwise()`. */
  ifElse(condition: number[], then: () => void, otherwise?: () => void): this {
    this.emit(condition, [IF, VOID_BLOCK]);
    then();
    if (otherwise) {
      this.emit([ELSE]);
      otherwise();
    }
    return this.emit([END]);
  }

  /** The encoded body: local declarations, instructions, end. */
  finish(): number[] {
    return [...vector(this.localGroups), ...this.bytes, END];
  }
}

/**
 * Loops over `count` floats from `pointers[0]`, the other pointers advancing in step: four at a time while
 * four fit, then one at a time. `kernelFor(lanes)` may emit set-up code for that width, and returns the
 * emitter of the loop body.
 */
export function emitStreams(
  code: Code,
  count: number,
  pointers: number[],
  kernelFor: (lanes: Lanes) => () => void,
): void {
  const [end, vectorEnd] = code.declare(I32, 2);
  code.emit(code.get(pointers[0]), code.get(count), i32.times4, i32.add, code.set(end));
  // pointer < end - 12 exactly when four more floats fit before end.
  code.emit(code.get(end), code.i32(12), i32.sub, code.set(vectorEnd));
  for (const [lanes, limit] of [
    [VECTOR, vectorEnd],
    [SCALAR, end],
  ] as const) {
    const body = kernelFor(lanes);
    code.whileLoop([...code.get(pointers[0]), ...code.get(limit), ...i32.lessThan], () => {
      body();
      for (const pointer of pointers) code.increment(pointer, code.i32(lanes.width * 4));
    });
  }
}

/** A module importing `env.memory` and exporting each function, all of them `(i32 …) → ()`. */
export function assembleModule(functions: { name: string; code: Code }[]): Uint8Array<ArrayBuffer> {
  const types = functions.map(({ code }) => [
    0x60,
    ...vector(new Array<number[]>(code.parameterCount).fill([I32])),
    0,
  ]);
  const memoryImport = [...utf8("env"), ...utf8("memory"), 0x02, 0x00, 0x00];
  const bodies = functions.map(({ code }) => {
    const body = code.finish();
    return [...unsignedLeb(body.length), ...body];
  });
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(types)),
    ...section(2, vector([memoryImport])),
    ...section(3, vector(functions.map((_, index) => unsignedLeb(index)))),
    ...section(7, vector(functions.map(({ name }, index) => [...utf8(name), 0x00, ...unsignedLeb(index)]))),
    ...section(10, vector(bodies)),
  ]);
}
