import { Code, I32, i32, type Lanes, SCALAR, VECTOR } from "./wasm-code.ts";

/**
 * `columnSums(source, rows, cols, rowStride, target, accumulate)`: `target[j] (+)= Σ_i source[i, j]` over a
 * `rows × cols` block whose rows are `rowStride` bytes apart; pointers in bytes. Bias gradients are these sums
 * over every step of a batch. Run as a product with a row of ones they cost a multiply and a one-row tile per
 * four sums; here strips of up to 32 columns add whole rows into eight registers, rows in order, so the sums
 * are the same floats the product gave.
 */

const STRIP_VECTORS = 8;

export function columnSumsCode(): Code {
  const [source, rows, cols, rowStride, target, accumulate] = [0, 1, 2, 3, 4, 5];
  const code = new Code(6);
  const [col, rowsLeft, pointer] = code.declare(I32, 3);
  const vectorSums = code.declare(VECTOR.type, STRIP_VECTORS);
  const [scalarSum] = code.declare(SCALAR.type, 1);

  /** One strip of `vectors · lanes.width` columns from `col`. */
  const strip = (lanes: Lanes, vectors: number) => {
    const sums = lanes === VECTOR ? vectorSums : [scalarSum];
    const bytes = lanes.width * 4;
    const colBytes = [...code.get(col), ...i32.times4];
    code.ifElse(
      code.get(accumulate),
      () => {
        for (let v = 0; v < vectors; v++) {
          code.emit(code.get(target), colBytes, i32.add, lanes.load(v * bytes), code.set(sums[v]));
        }
      },
      () => {
        for (let v = 0; v < vectors; v++) code.emit(lanes.constant(0), code.set(sums[v]));
      },
    );
    code.emit(code.get(source), colBytes, i32.add, code.set(pointer));
    code.emit(code.get(rows), code.set(rowsLeft));
    code.whileLoop(code.get(rowsLeft), () => {
      for (let v = 0; v < vectors; v++) {
        code.emit(code.get(sums[v]), code.get(pointer), lanes.load(v * bytes), lanes.add, code.set(sums[v]));
      }
      code.increment(pointer, code.get(rowStride));
      code.emit(code.get(rowsLeft), code.i32(1), i32.sub, code.set(rowsLeft));
    });
    for (let v = 0; v < vectors; v++) {
      code.emit(code.get(target), colBytes, i32.add, code.get(sums[v]), lanes.store(v * bytes));
    }
    code.increment(col, code.i32(vectors * lanes.width));
  };
  /** `cols - col >= count`. */
  const left = (count: number) => [
    ...code.i32(count - 1),
    ...code.get(cols),
    ...code.get(col),
    ...i32.sub,
    ...i32.lessThan,
  ];

  code.emit(code.i32(0), code.set(col));
  code.whileLoop(left(4 * STRIP_VECTORS), () => strip(VECTOR, STRIP_VECTORS));
  code.whileLoop(left(4), () => strip(VECTOR, 1));
  code.whileLoop(left(1), () => strip(SCALAR, 1));
  return code;
}
