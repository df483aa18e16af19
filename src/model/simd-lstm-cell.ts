import { Code, I32, i32, type Lanes, SCALAR, VECTOR } from "./wasm-code.ts";

/**
 * The element-wise half of one LSTM time step in WebAssembly SIMD; in JavaScript it took two thirds as long as
 * all the matrix products (Math.exp alone costs ~11 ns a call in V8). Both kernels walk `rows` (the batch) × `size`
 * (hidden units). Gate buffers have rows of `4 · size` floats, gates ordered i, f, g, o; every other buffer
 * has rows of `size`. Pointers are in bytes, each at the step's first row.
 *
 * `lstmCellForward(z, bias, cPrev, c, tanhC, h, rows, size)` activates `z + bias` in place into i, f, g, o,
 * then c = f·cPrev + i·g, tanhC = tanh(c), h = o·tanhC.
 *
 * `lstmCellBackward(z, tanhC, cPrev, dh, dhAbove, dc, dz, rows, size)` takes dLoss/dh as `dh + dhAbove` and
 * dLoss/dc carried from the next step in `dc`; it writes dLoss/d(pre-activation) of the gates into `dz` and
 * replaces `dc` with the carry for the previous step.
 *
 * tanh is Eigen's rational fit for float (degree 13/6), clamped at ±9 where tanh is 1 to float precision,
 * and σ(x) = (1 + tanh(x/2)) / 2; in float32 both stay within 3e-7 of the exact functions.
 */

const TANH_NUMERATOR = [
  -2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11, 5.12229709037114e-8,
  1.48572235717979e-5, 6.37261928875436e-4, 4.89352455891786e-3,
];
const TANH_DENOMINATOR = [1.19825839466702e-6, 1.18534705686654e-4, 2.268434632439e-3, 4.89352518554385e-3];
const TANH_CLAMP = 9;

const VALUE_NAMES = ["i", "f", "g", "o", "c", "t", "dh", "dc", "clamped", "squared"] as const;
/**
 * Every constant the kernels use. They live in locals set once on entry: V8 rebuilds a `v128.const` at each
 * use, which made the forward kernel twice as slow.
 */
const CONSTANTS = [...new Set([...TANH_NUMERATOR, ...TANH_DENOMINATOR, TANH_CLAMP, -TANH_CLAMP, 0.5, 1])];
/**
 * Full-width iterations handle two groups of four columns, their instructions interleaved: one group's
 * activations form a long dependency chain (a rational function, then tanh of the new cell state), and a
 * second, independent chain beside it made the forward kernel 1.7 times faster.
 */
const INTERLEAVED_GROUPS = 2;

/** The locals of one register set: named values, and `constant(c)`, code reading the local holding c. */
type Values = Record<(typeof VALUE_NAMES)[number], number> & { constant(value: number): number[] };

/** Columns handled together: `lanes.width` of them from byte `offset` past the walk's column. */
interface Group {
  lanes: Lanes;
  offset: number;
  v: Values;
}

/** The kernel's locals: i32 walk state, and value registers. */
interface Locals {
  rowsLeft: number;
  column: number;
  rowBytes: number;
  gateRowBytes: number;
  /** Byte offsets of gates f, g, o within a gate row (gate i is at 0). */
  gates: [number, number, number];
  /** The widths the walk uses, widest first: the groups of one iteration, and a local holding its bound. */
  passes: { groups: Group[]; bound: number; columns: number }[];
}

function declareValues(code: Code, lanes: Lanes, sets: number): Values[] {
  const constants = code.declare(lanes.type, CONSTANTS.length);
  constants.forEach((local, i) => {
    code.emit(lanes.constant(CONSTANTS[i]), code.set(local));
  });
  const constant = (value: number) => code.get(constants[CONSTANTS.indexOf(value)]);
  return Array.from({ length: sets }, () => {
    const named = code.declare(lanes.type, VALUE_NAMES.length);
    return { ...Object.fromEntries(VALUE_NAMES.map((name, i) => [name, named[i]])), constant } as Values;
  });
}

function declareLocals(code: Code): Locals {
  const [rowsLeft, column, rowBytes, gateRowBytes, gateF, gateG, gateO, wideBound, vectorBound, scalarBound] =
    code.declare(I32, 10);
  const vectorValues = declareValues(code, VECTOR, INTERLEAVED_GROUPS);
  const [scalarValues] = declareValues(code, SCALAR, 1);
  const vectorGroup = (v: Values, i: number): Group => ({ lanes: VECTOR, offset: 16 * i, v });
  return {
    rowsLeft,
    column,
    rowBytes,
    gateRowBytes,
    gates: [gateF, gateG, gateO],
    passes: [
      { groups: vectorValues.map(vectorGroup), bound: wideBound, columns: 4 * INTERLEAVED_GROUPS },
      { groups: [vectorGroup(vectorValues[0], 0)], bound: vectorBound, columns: 4 },
      { groups: [{ lanes: SCALAR, offset: 0, v: scalarValues }], bound: scalarBound, columns: 1 },
    ],
  };
}

/** Emits the expression tree of tanh(x), x being code that leaves one value. */
function tanh(code: Code, { lanes, v }: Group, x: number[]): number[] {
  const horner = (coefficients: number[]) => [
    ...v.constant(coefficients[0]),
    ...coefficients
      .slice(1)
      .flatMap((c) => [...code.get(v.squared), ...lanes.mul, ...v.constant(c), ...lanes.add]),
  ];
  return [
    ...x,
    ...v.constant(-TANH_CLAMP),
    ...lanes.max,
    ...v.constant(TANH_CLAMP),
    ...lanes.min,
    ...code.set(v.clamped),
    ...code.get(v.clamped),
    ...code.get(v.clamped),
    ...lanes.mul,
    ...code.set(v.squared),
    ...code.get(v.clamped),
    ...horner(TANH_NUMERATOR),
    ...lanes.mul,
    ...horner(TANH_DENOMINATOR),
    ...lanes.div,
  ];
}

function sigmoid(code: Code, group: Group, x: number[]): number[] {
  const { lanes, v } = group;
  const half = v.constant(0.5);
  return [...half, ...tanh(code, group, [...x, ...half, ...lanes.mul]), ...half, ...lanes.mul, ...lanes.add];
}

/** σ'(a) = σ(a)·(1 - σ(a)), given σ(a) in local `x`. */
function sigmoidSlope(code: Code, { lanes, v }: Group, x: number): number[] {
  return [...code.get(x), ...v.constant(1), ...code.get(x), ...lanes.sub, ...lanes.mul];
}

/** tanh'(a) = 1 - tanh(a)², given tanh(a) in local `x`. */
function tanhSlope(code: Code, { lanes, v }: Group, x: number): number[] {
  return [...v.constant(1), ...code.get(x), ...code.get(x), ...lanes.mul, ...lanes.sub];
}

/** Product of the values each part leaves on the stack. */
function product(lanes: Lanes, ...parts: number[][]): number[] {
  return [...parts[0], ...parts.slice(1).flatMap((part) => [...part, ...lanes.mul])];
}

/**
 * The walk shared by both kernels: for each of `rows` rows, the row's columns eight at a time while eight fit,
 * then four, then one, calling `cell` with the groups to emit for. Afterwards the pointer parameters in
 * `gateRowPointers` advance by a gate row and those in `rowPointers` by a row.
 */
function emitWalk(
  code: Code,
  local: Locals,
  rows: number,
  size: number,
  gateRowPointers: number[],
  rowPointers: number[],
  cell: (groups: Group[]) => void,
): void {
  const [gateF, gateG, gateO] = local.gates;
  code.emit(code.get(size), i32.times4, code.set(local.rowBytes));
  code.emit(code.get(local.rowBytes), code.set(gateF));
  code.emit(code.get(gateF), code.get(gateF), i32.add, code.set(gateG));
  code.emit(code.get(gateG), code.get(gateF), i32.add, code.set(gateO));
  code.emit(code.get(gateO), code.get(gateF), i32.add, code.set(local.gateRowBytes));
  // column < rowBytes - (4·columns - 4) exactly when `columns` more floats fit after column (a multiple of 4).
  for (const { bound, columns } of local.passes) {
    code.emit(code.get(local.rowBytes), code.i32(4 * columns - 4), i32.sub, code.set(bound));
  }
  code.emit(code.get(rows), code.set(local.rowsLeft));
  code.whileLoop(code.get(local.rowsLeft), () => {
    code.emit(code.i32(0), code.set(local.column));
    for (const { groups, bound, columns } of local.passes) {
      code.whileLoop([...code.get(local.column), ...code.get(bound), ...i32.lessThan], () => {
        cell(groups);
        code.increment(local.column, code.i32(4 * columns));
      });
    }
    for (const pointer of gateRowPointers) code.increment(pointer, code.get(local.gateRowBytes));
    for (const pointer of rowPointers) code.increment(pointer, code.get(local.rowBytes));
    code.emit(code.get(local.rowsLeft), code.i32(1), i32.sub, code.set(local.rowsLeft));
  });
}

/** Helpers addressing a group's cells: `base + column (+ gate offset)`, the group's offset an immediate. */
function addressing(code: Code, local: Locals) {
  const at = (base: number, gate: number) => [
    ...code.get(base),
    ...code.get(local.column),
    ...i32.add,
    ...(gate === 0 ? [] : [...code.get(local.gates[gate - 1]), ...i32.add]),
  ];
  return {
    load: ({ lanes, offset }: Group, base: number, gate = 0) => [...at(base, gate), ...lanes.load(offset)],
    store: ({ lanes, offset }: Group, base: number, gate: number, value: number[]) => [
      ...at(base, gate),
      ...value,
      ...lanes.store(offset),
    ],
  };
}

export function lstmCellForwardCode(): Code {
  const [z, bias, cPrev, c, tanhC, h, rows, size] = [0, 1, 2, 3, 4, 5, 6, 7];
  const code = new Code(8);
  const local = declareLocals(code);
  const { load, store } = addressing(code, local);
  emitWalk(code, local, rows, size, [z], [cPrev, c, tanhC, h], (groups) => {
    const each = (emit: (group: Group) => void) => {
      for (const group of groups) emit(group);
    };
    const activations = [sigmoid, sigmoid, tanh, sigmoid];
    const gateValue = (v: Values) => [v.i, v.f, v.g, v.o];
    activations.forEach((activation, gate) => {
      each((group) => {
        const { lanes, v } = group;
        const preActivation = [...load(group, z, gate), ...load(group, bias, gate), ...lanes.add];
        code.emit(activation(code, group, preActivation), code.set(gateValue(v)[gate]));
        code.emit(store(group, z, gate, code.get(gateValue(v)[gate])));
      });
    });
    each((group) => {
      const { lanes, v } = group;
      code.emit(
        product(lanes, code.get(v.f), load(group, cPrev)),
        product(lanes, code.get(v.i), code.get(v.g)),
      );
      code.emit(lanes.add, code.set(v.c), store(group, c, 0, code.get(v.c)));
    });
    each((group) => {
      const { v } = group;
      code.emit(tanh(code, group, code.get(v.c)), code.set(v.t), store(group, tanhC, 0, code.get(v.t)));
    });
    each((group) => {
      code.emit(store(group, h, 0, product(group.lanes, code.get(group.v.o), code.get(group.v.t))));
    });
  });
  return code;
}

export function lstmCellBackwardCode(): Code {
  const [z, tanhC, cPrev, dh, dhAbove, dc, dz, rows, size] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const code = new Code(9);
  const local = declareLocals(code);
  const { load, store } = addressing(code, local);
  emitWalk(code, local, rows, size, [z, dz], [tanhC, cPrev, dh, dhAbove, dc], (groups) => {
    for (const group of groups) {
      const { lanes, v } = group;
      code.emit(load(group, z, 0), code.set(v.i), load(group, z, 1), code.set(v.f));
      code.emit(load(group, z, 2), code.set(v.g), load(group, z, 3), code.set(v.o));
      code.emit(load(group, tanhC), code.set(v.t));
      code.emit(load(group, dh), load(group, dhAbove), lanes.add, code.set(v.dh));
      const dcFromH = product(lanes, code.get(v.dh), code.get(v.o), tanhSlope(code, group, v.t));
      code.emit(load(group, dc), dcFromH, lanes.add, code.set(v.dc));
      const dGate = (gate: number, ...factors: number[][]) =>
        code.emit(store(group, dz, gate, product(lanes, ...factors)));
      dGate(0, code.get(v.dc), code.get(v.g), sigmoidSlope(code, group, v.i));
      dGate(1, code.get(v.dc), load(group, cPrev), sigmoidSlope(code, group, v.f));
      dGate(2, code.get(v.dc), code.get(v.i), tanhSlope(code, group, v.g));
      dGate(3, code.get(v.dh), code.get(v.t), sigmoidSlope(code, group, v.o));
      code.emit(store(group, dc, 0, product(lanes, code.get(v.dc), code.get(v.f))));
    }
  });
  return code;
}
