import { setFlagsFromString } from "node:v8";

/**
 * Whether the kernels may use relaxed SIMD's `f32x4.relaxed_madd` (a · b + c), which V8 compiles to one FMA
 * instruction on CPUs that have FMA3 (to a multiply and an add elsewhere): the matrix product's inner loop
 * then spends one instruction per four multiply-adds instead of two. Node 20's V8 ships relaxed SIMD behind
 * a flag, which is read when a module is compiled, so it is turned on here before any kernel is built; later
 * V8 versions have it on already. A probe module says whether it took.
 */
export const FUSED_MULTIPLY_ADD: boolean = relaxedSimdWorks();

function relaxedSimdWorks(): boolean {
  setFlagsFromString("--experimental-wasm-relaxed-simd");
  const zero = [0xfd, 0x0c, ...new Array<number>(16).fill(0)]; // v128.const 0
  const body = [0x00, ...zero, ...zero, ...zero, 0xfd, 0x85, 0x02, 0x1a, 0x0b]; // madd(0, 0, 0); drop; end
  const module = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...[0x01, 0x04, 0x01, 0x60, 0x00, 0x00], // one type: () → ()
    ...[0x03, 0x02, 0x01, 0x00], // one function of that type
    ...[0x0a, body.length + 2, 0x01, body.length, ...body],
  ];
  return WebAssembly.validate(new Uint8Array(module));
}
