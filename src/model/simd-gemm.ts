import { Code, I32, i32, type Lanes, SCALAR, VECTOR } from "./wasm-code.ts";

/**
 * The engine's matrix product, `gemm(m, n, k, a, aRowStride, aColStride, b, bRowStride, c, cRowStride,
 * accumulate)`: `C[i, j] (+)= Σ_p A[i, p] · B[p, j]` over `m × n` outputs, pointers and strides in bytes.
 * A may be strided both ways (so A or Aᵀ is read in place); rows of B and C are contiguous.
 *
 * C is computed in register tiles of 4 rows × 8 columns (two f32x4 per row), the k loop keeping all eight
 * accumulators in registers; ragged edges use 1-row, 4-wide and single-column tiles. Measured on one core,
 * scalar JavaScript tops out near 2.2 GMAC/s on the LSTM's shapes; this runs them at about 17, and a kernel
 * built for one layout's strides (`gemmCode(strides)`) at about 21. Where relaxed SIMD is on
 * (FUSED_MULTIPLY_ADD), each multiply-add of the vector tiles is one fused instruction: the CNN-LSTM's
 * training samples/s at batch 256 rose from about 21,000 to 24,900 on one core here.
 */

const PARAMETERS = [
  "m",
  "n",
  "k",
  "a",
  "aRowStride",
  "aColStride",
  "b",
  "bRowStride",
  "c",
  "cRowStride",
  "accumulate",
];
const [M, N, K, A, A_ROW, A_COL, B, B_ROW, C, C_ROW, ACCUMULATE] = PARAMETERS.keys();
const MAX_ROWS = 4;
const MAX_VECTORS = 2;

interface Registers {
  accumulators: number[];
  bValues: number[];
  aValue: number;
}

interface Locals {
  row: number;
  col: number;
  step: number;
  pa: number;
  pb: number;
  pc: number;
  rowA: number;
  rowC: number;
  /** `i · aRowStride` and `i · cRowStride` for i = 0..3, so a tile addresses its rows without multiplying. */
  aRowTimes: number[];
  cRowTimes: number[];
  vector: Registers;
  scalar: Registers;
}

function declareLocals(code: Code): Locals {
  const [row, col, step, pa, pb, pc, rowA, rowC, a2, a3, c2, c3] = code.declare(I32, 12);
  const registers = (type: number): Registers => {
    const all = code.declare(type, MAX_ROWS * MAX_VECTORS + MAX_VECTORS + 1);
    return {
      accumulators: all.slice(0, MAX_ROWS * MAX_VECTORS),
      bValues: all.slice(MAX_ROWS * MAX_VECTORS, -1),
      aValue: all[all.length - 1],
    };
  };
  return {
    row,
    col,
    step,
    pa,
    pb,
    pc,
    rowA,
    rowC,
    aRowTimes: [-1, A_ROW, a2, a3],
    cRowTimes: [-1, C_ROW, c2, c3],
    vector: registers(VECTOR.type),
    scalar: registers(SCALAR.type),
  };
}

/** Address of tile row `row`: base + row · stride, from the precomputed multiples. */
function rowAddress(code: Code, base: number, row: number, strideTimes: number[]): number[] {
  return row === 0 ? code.get(base) : [...code.get(base), ...code.get(strideTimes[row]), ...i32.add];
}

/** A tile's shape: `rows × (vectors · lanes.width)` elements of C, and the strides when they are fixed. */
interface TileShape {
  rows: number;
  vectors: number;
  lanes: Lanes;
  strides: GemmStrides | undefined;
}

/** The registers a tile of `shape` uses, its accumulator of (row, vector) and the bytes of one vector. */
function tileRegisters(local: Locals, { vectors, lanes }: TileShape) {
  const registers = lanes === VECTOR ? local.vector : local.scalar;
  const acc = (row: number, v: number) => registers.accumulators[row * vectors + v];
  return { registers, acc, vectorBytes: lanes.width * 4 };
}

/** One tile of C at (row, col). */
function emitTile(code: Code, local: Locals, shape: TileShape): void {
  const { rows, vectors, lanes, strides } = shape;
  const { acc, vectorBytes } = tileRegisters(local, shape);
  const colBytes = [...code.get(local.col), ...i32.times4];
  // C's element (r, v) of the tile: an immediate offset from pc when the strides are fixed.
  const cAddress = (r: number, v: number): [number[], number] =>
    strides
      ? [code.get(local.pc), r * strides.cRow + v * vectorBytes]
      : [rowAddress(code, local.pc, r, local.cRowTimes), v * vectorBytes];

  code.emit(code.get(local.rowA), code.set(local.pa));
  code.emit(code.get(B), colBytes, i32.add, code.set(local.pb));
  code.emit(code.get(local.rowC), colBytes, i32.add, code.set(local.pc));
  code.ifElse(
    code.get(ACCUMULATE),
    () => {
      for (let r = 0; r < rows; r++) {
        for (let v = 0; v < vectors; v++) {
          const [address, offset] = cAddress(r, v);
          code.emit(address, lanes.load(offset), code.set(acc(r, v)));
        }
      }
    },
    () => {
      for (let r = 0; r < rows; r++) {
        for (let v = 0; v < vectors; v++) code.emit(lanes.constant(0), code.set(acc(r, v)));
      }
    },
  );

  code.emit(code.get(K), code.set(local.step));
  emitSteps(code, local, shape);

  for (let r = 0; r < rows; r++) {
    for (let v = 0; v < vectors; v++) {
      const [address, offset] = cAddress(r, v);
      code.emit(address, code.get(acc(r, v)), lanes.store(offset));
    }
  }
}

/**
 * The k loop of a tile. With fixed strides every load addresses its row by an immediate offset from one A
 * and one B pointer, which leaves no address arithmetic in the loop (about 6% faster on the LSTM's shapes;
 * unrolling it or taller tiles ran slower). Both run the sums in the same order: the results are identical.
 */
function emitSteps(code: Code, local: Locals, shape: TileShape): void {
  const { rows, vectors, lanes, strides } = shape;
  const { registers, acc, vectorBytes } = tileRegisters(local, shape);
  const loadA = (r: number) =>
    strides
      ? [...code.get(local.pa), ...lanes.splatLoad(r * strides.aRow)]
      : [...rowAddress(code, local.pa, r, local.aRowTimes), ...lanes.splatLoad(0)];
  code.whileLoop(code.get(local.step), () => {
    for (let v = 0; v < vectors; v++) {
      code.emit(code.get(local.pb), lanes.load(v * vectorBytes), code.set(registers.bValues[v]));
    }
    for (let r = 0; r < rows; r++) {
      code.emit(loadA(r), code.set(registers.aValue));
      for (let v = 0; v < vectors; v++) {
        const [a, b, sum] = [code.get(registers.aValue), code.get(registers.bValues[v]), code.get(acc(r, v))];
        if (lanes.multiplyAdd) code.emit(a, b, sum, lanes.multiplyAdd, code.set(acc(r, v)));
        else code.emit(sum, a, b, lanes.mul, lanes.add, code.set(acc(r, v)));
      }
    }
    code.increment(local.pa, strides ? code.i32(strides.aCol) : code.get(A_COL));
    code.increment(local.pb, strides ? code.i32(strides.bRow) : code.get(B_ROW));
    code.emit(code.get(local.step), code.i32(1), i32.sub, code.set(local.step));
  });
}

/** `limit - counter >= count`. */
function atLeastLeft(code: Code, limit: number, counter: number, count: number): number[] {
  return [...code.i32(count - 1), ...code.get(limit), ...code.get(counter), ...i32.sub, ...i32.lessThan];
}

/** Every tile of a block of `rows` rows: 8 wide while they fit, then one 4 wide, then single columns. */
function emitRowBlock(code: Code, local: Locals, rows: number, strides: GemmStrides | undefined): void {
  code.emit(code.i32(0), code.set(local.col));
  code.whileLoop(atLeastLeft(code, N, local.col, 8), () => {
    emitTile(code, local, { rows, vectors: 2, lanes: VECTOR, strides });
    code.increment(local.col, code.i32(8));
  });
  code.ifElse(atLeastLeft(code, N, local.col, 4), () => {
    emitTile(code, local, { rows, vectors: 1, lanes: VECTOR, strides });
    code.increment(local.col, code.i32(4));
  });
  code.whileLoop(atLeastLeft(code, N, local.col, 1), () => {
    emitTile(code, local, { rows, vectors: 1, lanes: SCALAR, strides });
    code.increment(local.col, code.i32(1));
  });
}

/** Byte strides fixed when a kernel is built for one layout: A's rows and columns, B's rows. */
export interface GemmStrides {
  aRow: number;
  aCol: number;
  bRow: number;
  cRow: number;
}

/**
 * The kernel for any strides, or, given `strides`, one for those alone (its stride arguments are then
 * ignored), whose k loop needs no address arithmetic.
 */
export function gemmCode(strides?: GemmStrides): Code {
  const code = new Code(PARAMETERS.length);
  const local = declareLocals(code);
  for (const times of [2, 3]) {
    code.emit(code.get(A_ROW), code.i32(times), i32.mul, code.set(local.aRowTimes[times]));
    code.emit(code.get(C_ROW), code.i32(times), i32.mul, code.set(local.cRowTimes[times]));
  }
  code.emit(code.get(A), code.set(local.rowA), code.get(C), code.set(local.rowC));
  code.emit(code.i32(0), code.set(local.row));
  for (const rows of [MAX_ROWS, 1]) {
    code.whileLoop(atLeastLeft(code, M, local.row, rows), () => {
      emitRowBlock(code, local, rows, strides);
      code.increment(local.row, code.i32(rows));
      for (let r = 0; r < rows; r++) {
        code.increment(local.rowA, code.get(A_ROW)).increment(local.rowC, code.get(C_ROW));
      }
    });
  }
  return code;
}
