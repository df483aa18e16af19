import { adamStepCode } from "./simd-adam.ts";
import { columnSumsCode } from "./simd-column-sums.ts";
import { reluBackwardCode, reluCode, transposeCode } from "./simd-elementwise.ts";
import { type GemmStrides, gemmCode } from "./simd-gemm.ts";
import { lstmCellBackwardCode, lstmCellForwardCode } from "./simd-lstm-cell.ts";
import { assembleModule } from "./wasm-code.ts";

const PAGE_BYTES = 65536;
const ALIGN_BYTES = 16;
const K_BLOCK = 128;
/**
 * Layouts that get a gemm kernel of their own (see `gemmCode`); a network uses a handful, and past this
 * many (a layout that follows the batch size, say) the general kernel serves the rest.
 */
const MAX_FIXED_STRIDE_KERNELS = 64;

/** A matrix inside a workspace buffer: element (i, j) is `data[offset + i·rowStride + j·colStride]`. */
export interface Matrix {
  data: Float32Array;
  offset: number;
  rowStride: number;
  colStride: number;
}

/** The row-major matrix at `data[offset]` whose rows are `rowStride` elements apart. */
export function rowMajor(data: Float32Array, offset: number, rowStride: number): Matrix {
  return { data, offset, rowStride, colStride: 1 };
}

/** The transpose of `rowMajor(data, offset, rowStride)`, read in place. */
export function transposed(data: Float32Array, offset: number, rowStride: number): Matrix {
  return { data, offset, rowStride: 1, colStride: rowStride };
}

/** The WebAssembly kernels; pointers and strides in bytes (see the simd-*.ts files that build them). */
export interface Kernels {
  gemm(
    m: number,
    n: number,
    k: number,
    a: number,
    aRowStride: number,
    aColStride: number,
    b: number,
    bRowStride: number,
    c: number,
    cRowStride: number,
    accumulate: number,
  ): void;
  lstmCellForward(
    z: number,
    bias: number,
    cPrev: number,
    c: number,
    tanhC: number,
    h: number,
    rows: number,
    size: number,
  ): void;
  lstmCellBackward(
    z: number,
    tanhC: number,
    cPrev: number,
    dh: number,
    dhAbove: number,
    dc: number,
    dz: number,
    rows: number,
    size: number,
  ): void;
  columnSums(
    source: number,
    rows: number,
    cols: number,
    rowStride: number,
    target: number,
    accumulate: number,
  ): void;
  adamStep(data: number, grad: number, m: number, v: number, count: number, settings: number): void;
  relu(x: number, count: number): void;
  reluBackward(out: number, dOut: number, dIn: number, count: number): void;
  transpose(source: number, rows: number, cols: number, target: number): void;
}

type GemmKernel = Kernels["gemm"];

let compiled: WebAssembly.Module | undefined;
const fixedStrideModules = new Map<string, WebAssembly.Module>();

function stridesKey({ aRow, aCol, bRow, cRow }: GemmStrides): string {
  return `${aRow},${aCol},${bRow},${cRow}`;
}

/** The module of a gemm kernel built for `strides` alone, or undefined once there are too many. */
function fixedStrideModule(strides: GemmStrides): WebAssembly.Module | undefined {
  const key = stridesKey(strides);
  let module = fixedStrideModules.get(key);
  if (!module && fixedStrideModules.size < MAX_FIXED_STRIDE_KERNELS) {
    module = new WebAssembly.Module(assembleModule([{ name: "gemm", code: gemmCode(strides) }]));
    fixedStrideModules.set(key, module);
  }
  return module;
}

function kernelModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(
    assembleModule([
      { name: "gemm", code: gemmCode() },
      { name: "lstmCellForward", code: lstmCellForwardCode() },
      { name: "lstmCellBackward", code: lstmCellBackwardCode() },
      { name: "columnSums", code: columnSumsCode() },
      { name: "adamStep", code: adamStepCode() },
      { name: "relu", code: reluCode() },
      { name: "reluBackward", code: reluBackwardCode() },
      { name: "transpose", code: transposeCode() },
    ]),
  );
  return compiled;
}

/**
 * The memory a network computes in: float32 buffers carved from one WebAssembly memory, and the kernels that
 * run over them. Growing the memory detaches every view made before, so buffers are laid out together by
 * `layout`, which reruns the whole plan whenever an allocation had to grow the memory.
 */
export class Workspace {
  private readonly memory = new WebAssembly.Memory({ initial: 1 });
  readonly kernels = new WebAssembly.Instance(kernelModule(), { env: { memory: this.memory } })
    .exports as unknown as Kernels;
  private readonly gemmKernels = new Map<string, GemmKernel>();
  private usedBytes = 0;
  private grew = false;

  /**
   * Runs `plan`, which allocates every buffer the caller needs, and returns what its final run returned;
   * views from earlier layouts become invalid.
   */
  layout<T>(plan: () => T): T {
    for (;;) {
      this.usedBytes = 0;
      this.grew = false;
      const result = plan();
      if (!this.grew) return result;
    }
  }

  /** A zeroed float32 buffer of `length`; call only inside `layout`. */
  alloc(length: number): Float32Array {
    const start = this.usedBytes;
    this.usedBytes += Math.ceil((length * 4) / ALIGN_BYTES) * ALIGN_BYTES;
    const shortBytes = this.usedBytes - this.memory.buffer.byteLength;
    if (shortBytes > 0) {
      this.memory.grow(Math.ceil(shortBytes / PAGE_BYTES));
      this.grew = true;
    }
    return new Float32Array(this.memory.buffer, start, length).fill(0);
  }

  /**
   * The byte address of `view[offset]` for a kernel about to touch `extent` elements from there. Kernels read
   * raw memory, so a stale view or an overrun would be silently wrong: both throw instead.
   */
  address(view: Float32Array, offset: number, extent: number): number {
    if (view.buffer !== this.memory.buffer) throw new Error("buffer is not a view of the current workspace");
    if (offset < 0 || offset + extent > view.length) {
      throw new RangeError(`a block of ${extent} from ${offset} overruns a buffer of ${view.length}`);
    }
    return view.byteOffset + offset * 4;
  }

  /**
   * `C (+)= A · B` for `m × n` C, summing over `k`. The sum runs in blocks of `K_BLOCK`: the strips of A and B
   * one block needs then stay in L1 cache, which kept the weight gradients of batch 256 (k = 3072) from
   * running at half speed.
   */
  gemm(m: number, n: number, k: number, a: Matrix, b: Matrix, c: Matrix, accumulate: boolean): void {
    if (b.colStride !== 1 || c.colStride !== 1) throw new Error("gemm: B and C need contiguous rows");
    if (k < 0) throw new RangeError(`gemm: negative k ${k}`);
    if (m <= 0 || n <= 0) return;
    const cAddress = this.address(c.data, c.offset, (m - 1) * c.rowStride + n);
    const kernel = this.gemmKernel({
      aRow: a.rowStride * 4,
      aCol: a.colStride * 4,
      bRow: b.rowStride * 4,
      cRow: c.rowStride * 4,
    });
    const blocks = Math.max(1, Math.ceil(k / K_BLOCK));
    for (let block = 0; block < blocks; block++) {
      const k0 = block * K_BLOCK;
      const kb = Math.min(K_BLOCK, k - k0);
      const aExtent = kb > 0 ? (m - 1) * a.rowStride + (kb - 1) * a.colStride + 1 : 0;
      const bExtent = kb > 0 ? (kb - 1) * b.rowStride + n : 0;
      kernel(
        m,
        n,
        kb,
        this.address(a.data, a.offset + k0 * a.colStride, aExtent),
        a.rowStride * 4,
        a.colStride * 4,
        this.address(b.data, b.offset + k0 * b.rowStride, bExtent),
        b.rowStride * 4,
        cAddress,
        c.rowStride * 4,
        accumulate || block > 0 ? 1 : 0,
      );
    }
  }

  /** The gemm kernel for one layout: built for its strides when it can be, else the general one. */
  private gemmKernel(strides: GemmStrides): GemmKernel {
    const key = stridesKey(strides);
    let kernel = this.gemmKernels.get(key);
    if (!kernel) {
      const module = fixedStrideModule(strides);
      kernel = module
        ? (new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports.gemm as GemmKernel)
        : this.kernels.gemm;
      this.gemmKernels.set(key, kernel);
    }
    return kernel;
  }

  /** `target[j] (+)= Σ_i A[i, j]` over `rows × cols`, summing rows in order. */
  columnSums(rows: number, cols: number, a: Matrix, target: Float32Array, accumulate: boolean): void {
    if (a.colStride !== 1) throw new Error("columnSums: A needs contiguous rows");
    if (cols <= 0) return;
    const extent = rows > 0 ? (rows - 1) * a.rowStride + cols : 0;
    this.kernels.columnSums(
      this.address(a.data, a.offset, extent),
      rows,
      cols,
      a.rowStride * 4,
      this.address(target, 0, cols),
      accumulate ? 1 : 0,
    );
  }

  /** `target = sourceᵀ`, `source` being `rows × cols`. */
  transpose(source: Float32Array, rows: number, cols: number, target: Float32Array): void {
    const size = rows * cols;
    this.kernels.transpose(this.address(source, 0, size), rows, cols, this.address(target, 0, size));
  }

  /** `x ← max(x, 0)` over the first `count` elements. */
  relu(x: Float32Array, count: number): void {
    this.kernels.relu(this.address(x, 0, count), count);
  }

  /** `dIn ← out > 0 ? dOut : 0` over the first `count` elements. */
  reluBackward(out: Float32Array, dOut: Float32Array, dIn: Float32Array, count: number): void {
    const at = (view: Float32Array) => this.address(view, 0, count);
    this.kernels.reluBackward(at(out), at(dOut), at(dIn), count);
  }
}
