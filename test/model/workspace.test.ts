import { describe, expect, it } from "vitest";
import { FUSED_MULTIPLY_ADD } from "../../src/model/relaxed-simd.ts";
import { Rng } from "../../src/model/rng.ts";
import { type Matrix, rowMajor, transposed, Workspace } from "../../src/model/workspace.ts";

/** Buffers of the given lengths from one layout. */
function allocate(workspace: Workspace, ...lengths: number[]): Float32Array[] {
  return workspace.layout(() => lengths.map((length) => workspace.alloc(length)));
}

function randomize(buffer: Float32Array, rng: Rng): void {
  for (let i = 0; i < buffer.length; i++) buffer[i] = rng.uniformRange(-1, 1);
}

const element = (matrix: Matrix, i: number, j: number) =>
  matrix.data[matrix.offset + i * matrix.rowStride + j * matrix.colStride];

/** The product by its definition, in double. */
function referenceProduct(
  m: number,
  n: number,
  k: number,
  a: Matrix,
  b: Matrix,
  c: Matrix,
  accumulate: boolean,
) {
  const result: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = accumulate ? element(c, i, j) : 0;
      for (let p = 0; p < k; p++) sum += element(a, i, p) * element(b, p, j);
      result.push(sum);
    }
  }
  return result;
}

describe("Workspace.gemm", () => {
  it("runs on fused multiply-adds: the relaxed SIMD flag took before the kernels were compiled", () => {
    expect(FUSED_MULTIPLY_ADD).toBe(true);
  });

  // Shapes cover full 4×8 tiles, ragged rows and columns (1-row, 4-wide and single-column tiles),
  // k = 0, and k above the 128 block.
  const shapes = [
    [4, 8, 16],
    [7, 13, 5],
    [1, 1, 1],
    [3, 4, 9],
    [9, 21, 300],
    [5, 6, 0],
    [13, 37, 130],
  ];

  for (const [m, n, k] of shapes) {
    for (const aTransposed of [false, true]) {
      for (const accumulate of [false, true]) {
        it(`${m}×${n}×${k}, A ${aTransposed ? "transposed" : "row-major"}, ${accumulate ? "accumulating" : "overwriting"}`, () => {
          const rng = new Rng(m * 1000 + n * 10 + k);
          const workspace = new Workspace();
          // Padded strides and offsets, so that reading or writing outside the block would show.
          const [lda, ldb, ldc] = [(aTransposed ? m : k) + 3, n + 5, n + 2];
          const [a, b, c] = allocate(
            workspace,
            2 + lda * (aTransposed ? k : m) + 1,
            1 + ldb * k + 1,
            3 + ldc * m,
          );
          randomize(a, rng);
          randomize(b, rng);
          randomize(c, rng);
          const aMatrix = aTransposed ? transposed(a, 2, lda) : rowMajor(a, 2, lda);
          const bMatrix = rowMajor(b, 1, ldb);
          const cMatrix = rowMajor(c, 3, ldc);
          const before = c.slice();
          const expected = referenceProduct(m, n, k, aMatrix, bMatrix, cMatrix, accumulate);
          workspace.gemm(m, n, k, aMatrix, bMatrix, cMatrix, accumulate);
          let largestError = 0;
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              largestError = Math.max(largestError, Math.abs(element(cMatrix, i, j) - expected[i * n + j]));
            }
          }
          expect(largestError).toBeLessThan(1e-4);
          // Nothing outside the m × n block of C changed.
          const inside = (index: number) =>
            index >= 3 && (index - 3) % ldc < n && Math.floor((index - 3) / ldc) < m;
          for (let index = 0; index < c.length; index++)
            if (!inside(index)) expect(c[index]).toBe(before[index]);
        });
      }
    }
  }

  // Workspace.gemm runs kernels built for each layout's strides; the general kernel serves past
  // MAX_FIXED_STRIDE_KERNELS layouts. Both must give the same bits (they sum in the same order).
  for (const [m, n, k] of [
    [4, 8, 16],
    [7, 13, 5],
    [9, 21, 64],
    [13, 37, 100],
  ]) {
    it(`${m}×${n}×${k}: the general kernel gives the bits of the kernel built for the strides`, () => {
      const rng = new Rng(m + n + k);
      const workspace = new Workspace();
      const [lda, ldb, ldc] = [m + 3, n + 5, n + 2];
      const [a, b, fixed, general] = allocate(workspace, lda * k, ldb * k, ldc * m, ldc * m);
      for (const buffer of [a, b, fixed]) randomize(buffer, rng);
      general.set(fixed);
      const aMatrix = transposed(a, 0, lda);
      const bMatrix = rowMajor(b, 0, ldb);
      const expected = referenceProduct(m, n, k, aMatrix, bMatrix, rowMajor(fixed, 0, ldc), true);
      workspace.gemm(m, n, k, aMatrix, bMatrix, rowMajor(fixed, 0, ldc), true);
      const at = (buffer: Float32Array) => workspace.address(buffer, 0, buffer.length);
      workspace.kernels.gemm(m, n, k, at(a), 4, 4 * lda, at(b), 4 * ldb, at(general), 4 * ldc, 1);
      expect([...general]).toEqual([...fixed]);
      let largestError = 0;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++)
          largestError = Math.max(largestError, Math.abs(general[i * ldc + j] - expected[i * n + j]));
      }
      expect(largestError).toBeLessThan(1e-4);
    });
  }

  it("sums columns, overwriting or accumulating", () => {
    const workspace = new Workspace();
    const [source, sums] = allocate(workspace, 6, 2);
    source.set([1, 2, 3, 4, 5, 6]);
    sums.set([100, 100]);
    workspace.columnSums(3, 2, rowMajor(source, 0, 2), sums, false);
    expect([...sums]).toEqual([9, 12]);
    workspace.columnSums(3, 2, rowMajor(source, 0, 2), sums, true);
    expect([...sums]).toEqual([18, 24]);
  });

  it("sums columns in 32-wide, 4-wide and single strips as float32 adds in row order", () => {
    const [rows, cols, stride] = [7, 45, 48];
    const rng = new Rng(7);
    const workspace = new Workspace();
    const [source, sums] = allocate(workspace, 1 + rows * stride, cols + 1);
    randomize(source, rng);
    randomize(sums, rng);
    const expected = sums.slice();
    for (let j = 0; j < cols; j++) {
      for (let i = 0; i < rows; i++) expected[j] = Math.fround(expected[j] + source[1 + i * stride + j]);
    }
    workspace.columnSums(rows, cols, rowMajor(source, 1, stride), sums, true);
    expect([...sums]).toEqual([...expected]);
  });

  it("refuses blocks that overrun a buffer and views that are not in its memory", () => {
    const workspace = new Workspace();
    const [a] = allocate(workspace, 16);
    const square = rowMajor(a, 0, 4);
    expect(() => workspace.gemm(4, 4, 5, square, square, square, false)).toThrow(RangeError);
    const foreign = rowMajor(new Float32Array(16), 0, 4);
    expect(() => workspace.gemm(4, 4, 4, square, square, foreign, false)).toThrow(/not a view/);
    expect(() => workspace.gemm(4, 4, 4, square, transposed(a, 0, 4), square, false)).toThrow(/contiguous/);
  });
});

describe("Workspace.layout", () => {
  it("reruns the plan after growing memory, so every view it returns is live and zeroed", () => {
    const workspace = new Workspace();
    const [small] = allocate(workspace, 8);
    small.fill(5);
    let runs = 0;
    const views = workspace.layout(() => {
      runs++;
      return [workspace.alloc(8), workspace.alloc(100_000), workspace.alloc(300_000)];
    });
    expect(runs).toBe(2);
    expect(views.map((v) => v.length)).toEqual([8, 100_000, 300_000]);
    for (const view of views) expect(view.every((x) => x === 0)).toBe(true);
    expect(small.length).toBe(0);
    const [first] = views;
    expect(() => workspace.relu(small, 1)).toThrow(/not a view/);
    expect(() => workspace.relu(first, 9)).toThrow(RangeError);
  });
});

describe("element-wise kernels", () => {
  // 11 elements: two 4-wide groups and three single ones; a 12th element must stay untouched.
  const values = [-3, 2, 0, -0.5, 7, -1e-30, 1e-30, 4, -8, 0.25, -2];

  it("applies ReLU in place", () => {
    const workspace = new Workspace();
    const [x] = allocate(workspace, 12);
    x.set([...values, -5]);
    workspace.relu(x, 11);
    expect([...x]).toEqual([...values.map((v) => Math.fround(Math.max(v, 0))), -5]);
  });

  it("passes gradients where ReLU's output is positive", () => {
    const workspace = new Workspace();
    const [out, dOut, dIn] = allocate(workspace, 12, 12, 12);
    out.set([...values.map((v) => Math.max(v, 0)), 1]);
    dOut.set(values.map((_, i) => i + 1));
    dIn.fill(9);
    workspace.reluBackward(out, dOut, dIn, 11);
    expect([...dIn]).toEqual([...values.map((v, i) => (v > 0 ? i + 1 : 0)), 9]);
  });

  it("transposes", () => {
    const workspace = new Workspace();
    const [source, target] = allocate(workspace, 6, 6);
    source.set([1, 2, 3, 4, 5, 6]);
    workspace.transpose(source, 2, 3, target);
    expect([...target]).toEqual([1, 4, 2, 5, 3, 6]);
  });
});
