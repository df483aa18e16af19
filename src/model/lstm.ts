import { UNALLOCATED } from "./array-ops.ts";
import { createParam, initUniform } from "./param.ts";
import type { Rng } from "./rng.ts";
import type { Param } from "./spec.ts";
import { rowMajor, transposed, type Workspace } from "./workspace.ts";

/**
 * One LSTM layer with PyTorch's parameters (gates stacked i, f, g, o; two biases) and zero initial state.
 * Sequences are time-major, `[steps · batch, features]`, row `t·batch + b`, so each step's batch is one block
 * and the input projection, the weight gradients and the input gradient are each one matrix product over
 * every step. Only the recurrent products run per step.
 */
export class LstmLayer {
  readonly weightIh: Param;
  readonly weightHh: Param;
  readonly biasIh: Param;
  readonly biasHh: Param;
  /** After `forward`: hidden states `[steps · batch, hidden]`. */
  hidden = UNALLOCATED;
  /** After `backward`: dLoss/dInput, `[steps · batch, inputSize]`. */
  dInput = UNALLOCATED;
  private readonly gates: number;
  private biasSum = UNALLOCATED;
  private weightIhT = UNALLOCATED;
  private weightHhT = UNALLOCATED;
  private weightIhCopy = UNALLOCATED;
  private weightHhCopy = UNALLOCATED;
  /** Gate pre-activations, then (in place) the activated gates i, f, g, o: `[steps · batch, 4·hidden]`. */
  private z = UNALLOCATED;
  /** Cell states with a zero block first: step t's state is block t + 1. */
  private cell = UNALLOCATED;
  private tanhCell = UNALLOCATED;
  private dz = UNALLOCATED;
  private dHiddenNext = UNALLOCATED;
  private dCellNext = UNALLOCATED;
  /** Stands in for dLoss/dHidden from above in the top layer, which has none. */
  private zeros = UNALLOCATED;
  private gradWeightIh = UNALLOCATED;
  private gradWeightHh = UNALLOCATED;
  /** Σ over every step and batch row of dz: the gradient of each bias. */
  private dzSums = UNALLOCATED;
  private input = UNALLOCATED;
  private batch = 0;

  constructor(
    private readonly workspace: Workspace,
    readonly inputSize: number,
    readonly hiddenSize: number,
    private readonly steps: number,
    layer: number,
    rng: Rng,
  ) {
    this.gates = 4 * hiddenSize;
    this.weightIh = createParam(`lstm.weight_ih_l${layer}`, [this.gates, inputSize]);
    this.weightHh = createParam(`lstm.weight_hh_l${layer}`, [this.gates, hiddenSize]);
    this.biasIh = createParam(`lstm.bias_ih_l${layer}`, [this.gates]);
    this.biasHh = createParam(`lstm.bias_hh_l${layer}`, [this.gates]);
    const bound = 1 / Math.sqrt(hiddenSize);
    for (const param of this.params) initUniform(param, bound, rng);
  }

  get params(): Param[] {
    return [this.weightIh, this.weightHh, this.biasIh, this.biasHh];
  }

  /** Allocates buffers for batches up to `capacity`; call inside `workspace.layout`. */
  allocate(capacity: number): void {
    const { workspace, inputSize, hiddenSize, gates } = this;
    const rows = this.steps * capacity;
    this.weightIhT = workspace.alloc(inputSize * gates);
    this.weightHhT = workspace.alloc(hiddenSize * gates);
    this.weightIhCopy = workspace.alloc(gates * inputSize);
    this.weightHhCopy = workspace.alloc(gates * hiddenSize);
    this.biasSum = workspace.alloc(gates);
    this.z = workspace.alloc(rows * gates);
    this.hidden = workspace.alloc(rows * hiddenSize);
    this.cell = workspace.alloc((rows + capacity) * hiddenSize);
    this.tanhCell = workspace.alloc(rows * hiddenSize);
    this.dz = workspace.alloc(rows * gates);
    this.dHiddenNext = workspace.alloc(capacity * hiddenSize);
    this.dCellNext = workspace.alloc(capacity * hiddenSize);
    this.zeros = workspace.alloc(capacity * hiddenSize);
    this.dInput = workspace.alloc(rows * inputSize);
    this.gradWeightIh = workspace.alloc(gates * inputSize);
    this.gradWeightHh = workspace.alloc(gates * hiddenSize);
    this.dzSums = workspace.alloc(gates);
  }

  /** Runs the sequence `input` (`[steps · batch, inputSize]`, a workspace buffer) from zero state. */
  forward(input: Float32Array, batch: number): void {
    const { workspace, inputSize, hiddenSize: h, gates, steps, z, hidden } = this;
    this.input = input;
    this.batch = batch;
    this.loadWeights();
    // The input projection of every step at once: z = x · W_ihᵀ (the cell kernel adds the biases).
    const x = rowMajor(input, 0, inputSize);
    const weightIhT = rowMajor(this.weightIhT, 0, gates);
    workspace.gemm(steps * batch, gates, inputSize, x, weightIhT, rowMajor(z, 0, gates), false);
    this.cell.fill(0, 0, batch * h);
    const weightHhT = rowMajor(this.weightHhT, 0, gates);
    for (let t = 0; t < steps; t++) {
      if (t > 0) {
        const hPrevious = rowMajor(hidden, (t - 1) * batch * h, h);
        workspace.gemm(batch, gates, h, hPrevious, weightHhT, rowMajor(z, t * batch * gates, gates), true);
      }
      this.cellForward(t);
    }
  }

  /** Copies the weights into the workspace, straight for the backward products and transposed for forward. */
  private loadWeights(): void {
    const { workspace, inputSize, hiddenSize, gates, biasSum } = this;
    this.weightIhCopy.set(this.weightIh.data);
    this.weightHhCopy.set(this.weightHh.data);
    workspace.transpose(this.weightIhCopy, gates, inputSize, this.weightIhT);
    workspace.transpose(this.weightHhCopy, gates, hiddenSize, this.weightHhT);
    const bih = this.biasIh.data;
    const bhh = this.biasHh.data;
    for (let j = 0; j < gates; j++) biasSum[j] = bih[j] + bhh[j];
  }

  private cellForward(t: number): void {
    const { workspace, hiddenSize: h, gates, batch } = this;
    const block = batch * h;
    const step = t * block;
    workspace.kernels.lstmCellForward(
      workspace.address(this.z, t * batch * gates, batch * gates),
      workspace.address(this.biasSum, 0, gates),
      workspace.address(this.cell, step, block),
      workspace.address(this.cell, step + block, block),
      workspace.address(this.tanhCell, step, block),
      workspace.address(this.hidden, step, block),
      batch,
      h,
    );
  }

  /**
   * Back-propagates through time given dLoss/dHidden for every step (`dHidden`, `[steps · batch, hidden]`)
   * and/or for the last step only (`dLast`, `[batch, hidden]`), accumulating parameter gradients and
   * leaving dLoss/dInput in `dInput`.
   */
  backward(dHidden: Float32Array | null, dLast: Float32Array | null): void {
    const { workspace, inputSize, hiddenSize: h, gates, steps, batch, dz, dzSums } = this;
    if (dLast) this.dHiddenNext.set(dLast.subarray(0, batch * h));
    else this.dHiddenNext.fill(0, 0, batch * h);
    this.dCellNext.fill(0, 0, batch * h);
    const weightHh = rowMajor(this.weightHhCopy, 0, h);
    const dHiddenNext = rowMajor(this.dHiddenNext, 0, h);
    for (let t = steps - 1; t >= 0; t--) {
      this.cellBackward(t, dHidden);
      if (t > 0) {
        const dzStep = rowMajor(dz, t * batch * gates, gates);
        workspace.gemm(batch, h, gates, dzStep, weightHh, dHiddenNext, false);
      }
    }
    // With every step's gate gradients known, the rest are products over all steps at once. Gradients
    // accumulate in the workspace and are copied back: typed-array copies are far cheaper than adds.
    const rows = steps * batch;
    const dzAll = rowMajor(dz, 0, gates);
    this.gradWeightIh.set(this.weightIh.grad);
    this.gradWeightHh.set(this.weightHh.grad);
    const x = rowMajor(this.input, 0, inputSize);
    const dzT = transposed(dz, 0, gates);
    workspace.gemm(gates, inputSize, rows, dzT, x, rowMajor(this.gradWeightIh, 0, inputSize), true);
    // Step 0 starts from the zero state, so only later steps feed dW_hh: dz of steps 1.. against h of steps ..-1.
    const dzLaterT = transposed(dz, batch * gates, gates);
    const hPrevious = rowMajor(this.hidden, 0, h);
    workspace.gemm(gates, h, rows - batch, dzLaterT, hPrevious, rowMajor(this.gradWeightHh, 0, h), true);
    this.weightIh.grad.set(this.gradWeightIh);
    this.weightHh.grad.set(this.gradWeightHh);
    // Both biases add to every gate's pre-activation, so they share one gradient: summed once, added to each.
    workspace.columnSums(rows, gates, dzAll, dzSums, false);
    const gradBiasIh = this.biasIh.grad;
    const gradBiasHh = this.biasHh.grad;
    for (let j = 0; j < gates; j++) {
      gradBiasIh[j] += dzSums[j];
      gradBiasHh[j] += dzSums[j];
    }
    const weightIh = rowMajor(this.weightIhCopy, 0, inputSize);
    workspace.gemm(rows, inputSize, gates, dzAll, weightIh, rowMajor(this.dInput, 0, inputSize), false);
  }

  /** Gate gradients of step t into `dz`; carries dCell to step t - 1. */
  private cellBackward(t: number, dHidden: Float32Array | null): void {
    const { workspace, hiddenSize: h, gates, batch } = this;
    const block = batch * h;
    const step = t * block;
    workspace.kernels.lstmCellBackward(
      workspace.address(this.z, t * batch * gates, batch * gates),
      workspace.address(this.tanhCell, step, block),
      workspace.address(this.cell, step, block),
      workspace.address(this.dHiddenNext, 0, block),
      dHidden ? workspace.address(dHidden, step, block) : workspace.address(this.zeros, 0, block),
      workspace.address(this.dCellNext, 0, block),
      workspace.address(this.dz, t * batch * gates, batch * gates),
      batch,
      h,
    );
  }
}

/** Stacked LSTM layers, the input of each being the hidden states of the one below. */
export class Lstm {
  readonly layers: LstmLayer[] = [];

  constructor(
    workspace: Workspace,
    inputSize: number,
    hiddenSize: number,
    layerCount: number,
    steps: number,
    rng: Rng,
  ) {
    for (let layer = 0; layer < layerCount; layer++) {
      const size = layer === 0 ? inputSize : hiddenSize;
      this.layers.push(new LstmLayer(workspace, size, hiddenSize, steps, layer, rng));
    }
  }

  get params(): Param[] {
    return this.layers.flatMap((layer) => layer.params);
  }

  get top(): LstmLayer {
    return this.layers[this.layers.length - 1];
  }

  allocate(capacity: number): void {
    for (const layer of this.layers) layer.allocate(capacity);
  }

  /** Runs `input` (`[steps · batch, inputSize]`); the result is `top.hidden`. */
  forward(input: Float32Array, batch: number): void {
    let sequence = input;
    for (const layer of this.layers) {
      layer.forward(sequence, batch);
      sequence = layer.hidden;
    }
  }

  /** Back-propagates dLoss/dHidden of the top layer's last step; the result is `layers[0].dInput`. */
  backward(dLast: Float32Array): void {
    let dHidden: Float32Array | null = null;
    for (let layer = this.layers.length - 1; layer >= 0; layer--) {
      this.layers[layer].backward(dHidden, layer === this.layers.length - 1 ? dLast : null);
      dHidden = this.layers[layer].dInput;
    }
  }
}
