import { describe, expect, it } from "vitest";
import { Rng } from "../../src/model/rng.ts";
import { Workspace } from "../../src/model/workspace.ts";

// 13 hidden units: per row, one pass over two interleaved 4-wide groups, one 4-wide group and one column.
const ROWS = 3;
const SIZE = 13;
const GATES = 4 * SIZE;

/** Buffers of the given lengths from one layout. */
function allocate(workspace: Workspace, ...lengths: number[]): Float32Array[] {
  return workspace.layout(() => lengths.map((length) => workspace.alloc(length)));
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe("lstmCellForward", () => {
  it("activates the gates and updates the cell state as PyTorch's LSTM", () => {
    const workspace = new Workspace();
    const [z, bias, cPrev, c, tanhC, h] = allocate(
      workspace,
      ROWS * GATES,
      GATES,
      ROWS * SIZE,
      ROWS * SIZE,
      ROWS * SIZE,
      ROWS * SIZE,
    );
    const rng = new Rng(1);
    // Pre-activations from -20 to 20, through 0, including the clamp at ±9.
    for (let i = 0; i < z.length; i++) z[i] = -20 + (40 * i) / (z.length - 1);
    for (let i = 0; i < bias.length; i++) bias[i] = rng.uniformRange(-0.1, 0.1);
    for (let i = 0; i < cPrev.length; i++) cPrev[i] = rng.uniformRange(-2, 2);
    const pre = Array.from(z, (value, i) => value + bias[i % GATES]);
    const at = (view: Float32Array) => workspace.address(view, 0, view.length);
    workspace.kernels.lstmCellForward(at(z), at(bias), at(cPrev), at(c), at(tanhC), at(h), ROWS, SIZE);

    let largestError = 0;
    const check = (actual: number, expected: number) => {
      largestError = Math.max(largestError, Math.abs(actual - expected));
    };
    for (let r = 0; r < ROWS; r++) {
      for (let j = 0; j < SIZE; j++) {
        const gate = (g: number) => pre[r * GATES + g * SIZE + j];
        const [i, f, g, o] = [sigmoid(gate(0)), sigmoid(gate(1)), Math.tanh(gate(2)), sigmoid(gate(3))];
        [i, f, g, o].forEach((value, k) => {
          check(z[r * GATES + k * SIZE + j], value);
        });
        const cell = f * cPrev[r * SIZE + j] + i * g;
        check(c[r * SIZE + j], cell);
        check(tanhC[r * SIZE + j], Math.tanh(c[r * SIZE + j]));
        check(h[r * SIZE + j], o * Math.tanh(cell));
      }
    }
    expect(largestError).toBeLessThan(3e-7);
  });
});

describe("lstmCellBackward", () => {
  it("computes the gate gradients and carries dLoss/dc to the previous step", () => {
    const workspace = new Workspace();
    const block = ROWS * SIZE;
    const [z, tanhC, cPrev, dh, dhAbove, dc, dz] = allocate(
      workspace,
      ROWS * GATES,
      block,
      block,
      block,
      block,
      block,
      ROWS * GATES,
    );
    const rng = new Rng(2);
    for (let i = 0; i < z.length; i++)
      z[i] = i % GATES < 2 * SIZE || i % GATES >= 3 * SIZE ? rng.uniform() : rng.uniformRange(-1, 1);
    for (const view of [tanhC, cPrev, dh, dhAbove, dc])
      for (let i = 0; i < block; i++) view[i] = rng.uniformRange(-1, 1);
    const dcBefore = dc.slice();
    const at = (view: Float32Array) => workspace.address(view, 0, view.length);
    workspace.kernels.lstmCellBackward(
      at(z),
      at(tanhC),
      at(cPrev),
      at(dh),
      at(dhAbove),
      at(dc),
      at(dz),
      ROWS,
      SIZE,
    );

    let largestError = 0;
    const check = (actual: number, expected: number) => {
      largestError = Math.max(largestError, Math.abs(actual - expected));
    };
    for (let r = 0; r < ROWS; r++) {
      for (let j = 0; j < SIZE; j++) {
        const k = r * SIZE + j;
        const [i, f, g, o] = [0, 1, 2, 3].map((gate) => z[r * GATES + gate * SIZE + j]);
        const t = tanhC[k];
        const dHidden = dh[k] + dhAbove[k];
        const dCell = dcBefore[k] + dHidden * o * (1 - t * t);
        const expected = [
          dCell * g * i * (1 - i),
          dCell * cPrev[k] * f * (1 - f),
          dCell * i * (1 - g * g),
          dHidden * t * o * (1 - o),
        ];
        expected.forEach((value, gate) => {
          check(dz[r * GATES + gate * SIZE + j], value);
        });
        check(dc[k], dCell * f);
      }
    }
    expect(largestError).toBeLessThan(1e-6);
  });
});
