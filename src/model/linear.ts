import { UNALLOCATED } from "./array-ops.ts";
import { createParam, initUniform } from "./param.ts";
import type { Rng } from "./rng.ts";
import type { Param } from "./spec.ts";
import { rowMajor, transposed, type Workspace } from "./workspace.ts";

/** The names of a layer's parameters when they are not `<name>.weight` and `<name>.bias`. */
export interface LinearNames {
  weight: string;
  bias: string;
}

/** Fully connected `out[batch, outFeatures] = in · Wᵀ + b`, PyTorch's `nn.Linear`. */
export class Linear {
  readonly weight: Param;
  readonly bias: Param;
  /** After `forward`: `[batch, outFeatures]`. */
  out = UNALLOCATED;
  /** After `backward`: dLoss/dInput, `[batch, inFeatures]`. */
  dInput = UNALLOCATED;
  private weightCopy = UNALLOCATED;
  private weightT = UNALLOCATED;
  private biasCopy = UNALLOCATED;
  private dOut = UNALLOCATED;
  private gradWeight = UNALLOCATED;
  private gradBias = UNALLOCATED;
  private ones = UNALLOCATED;
  private input = UNALLOCATED;
  private inputOffset = 0;
  private batch = 0;

  constructor(
    private readonly workspace: Workspace,
    readonly inFeatures: number,
    readonly outFeatures: number,
    name: string | LinearNames,
    /** PyTorch's uniform initialization from this stream; null: every weight and bias starts at zero. */
    rng: Rng | null,
  ) {
    const names = typeof name === "string" ? { weight: `${name}.weight`, bias: `${name}.bias` } : name;
    this.weight = createParam(names.weight, [outFeatures, inFeatures]);
    this.bias = createParam(names.bias, [outFeatures]);
    if (!rng) return;
    const bound = 1 / Math.sqrt(inFeatures);
    initUniform(this.weight, bound, rng);
    initUniform(this.bias, bound, rng);
  }

  /** Allocates buffers for batches up to `capacity`; call inside `workspace.layout`. */
  allocate(capacity: number): void {
    const { workspace, inFeatures, outFeatures } = this;
    this.weightCopy = workspace.alloc(outFeatures * inFeatures);
    this.weightT = workspace.alloc(inFeatures * outFeatures);
    this.biasCopy = workspace.alloc(outFeatures);
    this.out = workspace.alloc(capacity * outFeatures);
    this.dOut = workspace.alloc(capacity * outFeatures);
    this.dInput = workspace.alloc(capacity * inFeatures);
    this.gradWeight = workspace.alloc(outFeatures * inFeatures);
    this.gradBias = workspace.alloc(outFeatures);
    this.ones = workspace.alloc(capacity).fill(1);
  }

  /** Reads `batch` rows of a workspace buffer from element `inputOffset`. */
  forward(input: Float32Array, inputOffset: number, batch: number): void {
    const { workspace, inFeatures, outFeatures, out } = this;
    this.input = input;
    this.inputOffset = inputOffset;
    this.batch = batch;
    this.weightCopy.set(this.weight.data);
    workspace.transpose(this.weightCopy, outFeatures, inFeatures, this.weightT);
    this.biasCopy.set(this.bias.data);
    // out = ones[batch, 1] · b[1, outFeatures] + in · Wᵀ.
    const biasRow = rowMajor(this.biasCopy, 0, outFeatures);
    workspace.gemm(
      batch,
      outFeatures,
      1,
      rowMajor(this.ones, 0, 1),
      biasRow,
      rowMajor(out, 0, outFeatures),
      false,
    );
    const x = rowMajor(input, inputOffset, inFeatures);
    const weightT = rowMajor(this.weightT, 0, outFeatures);
    workspace.gemm(batch, outFeatures, inFeatures, x, weightT, rowMajor(out, 0, outFeatures), true);
  }

  /**
   * Accumulates parameter gradients given dLoss/dOut (`[batch, outFeatures]`, any Float32Array); dLoss/dInput
   * replaces `dInput`, or with "accumulate" adds to what the caller put there, or with "none" is not computed
   * (a layer on inputs that need no gradient).
   */
  backward(dOut: Float32Array, inputGradient: "replace" | "accumulate" | "none" = "replace"): void {
    const { workspace, inFeatures, outFeatures, batch } = this;
    this.dOut.set(dOut.subarray(0, batch * outFeatures));
    const x = rowMajor(this.input, this.inputOffset, inFeatures);
    const d = rowMajor(this.dOut, 0, outFeatures);
    // Gradients accumulate in the workspace and are copied back: typed-array copies are far cheaper than adds.
    this.gradWeight.set(this.weight.grad);
    this.gradBias.set(this.bias.grad);
    const dT = transposed(this.dOut, 0, outFeatures);
    workspace.gemm(outFeatures, inFeatures, batch, dT, x, rowMajor(this.gradWeight, 0, inFeatures), true);
    workspace.columnSums(batch, outFeatures, d, this.gradBias, true);
    this.weight.grad.set(this.gradWeight);
    this.bias.grad.set(this.gradBias);
    if (inputGradient === "none") return;
    const weight = rowMajor(this.weightCopy, 0, inFeatures);
    const accumulate = inputGradient === "accumulate";
    workspace.gemm(
      batch,
      inFeatures,
      outFeatures,
      d,
      weight,
      rowMajor(this.dInput, 0, inFeatures),
      accumulate,
    );
  }
}
