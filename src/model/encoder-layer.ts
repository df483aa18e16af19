import { UNALLOCATED } from "./array-ops.ts";
import { LayerNorm } from "./layer-norm.ts";
import { Linear } from "./linear.ts";
import { MultiHeadAttention } from "./multi-head-attention.ts";
import type { Rng } from "./rng.ts";
import type { Param } from "./spec.ts";
import type { Workspace } from "./workspace.ts";

/**
 * PyTorch's post-norm `nn.TransformerEncoderLayer(d, heads, ffn, dropout=0, activation="relu")`:
 * `y = norm1(x + attention(x))`, `out = norm2(y + linear2(relu(linear1(y))))`, over `[batch · steps, d]`.
 */
export class EncoderLayer {
  readonly attention: MultiHeadAttention;
  readonly linear1: Linear;
  readonly linear2: Linear;
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  private dHidden = UNALLOCATED;
  private rows = 0;

  constructor(
    private readonly workspace: Workspace,
    readonly d: number,
    heads: number,
    readonly ffn: number,
    readonly steps: number,
    prefix: string,
    rng: Rng,
  ) {
    this.attention = new MultiHeadAttention(workspace, d, heads, steps, `${prefix}.self_attn`, rng);
    this.linear1 = new Linear(workspace, d, ffn, `${prefix}.linear1`, rng);
    this.linear2 = new Linear(workspace, ffn, d, `${prefix}.linear2`, rng);
    this.norm1 = new LayerNorm(workspace, d, `${prefix}.norm1`);
    this.norm2 = new LayerNorm(workspace, d, `${prefix}.norm2`);
  }

  /** In PyTorch's `named_parameters()` order. */
  get params(): Param[] {
    const { linear1, linear2, norm1, norm2 } = this;
    return [
      ...this.attention.params,
      linear1.weight,
      linear1.bias,
      linear2.weight,
      linear2.bias,
      norm1.weight,
      norm1.bias,
      norm2.weight,
      norm2.bias,
    ];
  }

  /** After `forward`: `[batch · steps, d]`. */
  get out(): Float32Array {
    return this.norm2.out;
  }

  /** After `backward`: dLoss/dInput, `[batch · steps, d]`, through the attention and its residual. */
  get dInput(): Float32Array {
    return this.attention.dInput;
  }

  /** Allocates buffers for batches up to `capacity`; call inside `workspace.layout`. */
  allocate(capacity: number): void {
    const rows = capacity * this.steps;
    this.attention.allocate(capacity);
    this.linear1.allocate(rows);
    this.linear2.allocate(rows);
    this.norm1.allocate(rows);
    this.norm2.allocate(rows);
    this.dHidden = this.workspace.alloc(rows * this.ffn);
  }

  forward(input: Float32Array, batch: number): void {
    const { workspace, attention, linear1, linear2, norm1, norm2, ffn } = this;
    const rows = batch * this.steps;
    this.rows = rows;
    attention.forward(input, batch);
    norm1.forward(input, attention.out, rows);
    linear1.forward(norm1.out, 0, rows);
    workspace.relu(linear1.out, rows * ffn);
    linear2.forward(linear1.out, 0, rows);
    norm2.forward(norm1.out, linear2.out, rows);
  }

  /** Accumulates the parameter gradients and writes `dInput` given dLoss/dOut, `[batch · steps, d]`. */
  backward(dOut: Float32Array): void {
    const { workspace, attention, linear1, linear2, norm1, norm2, ffn, rows } = this;
    norm2.backward(dOut);
    linear2.backward(norm2.dInput);
    // ReLU's output is positive exactly where its input was, so it serves as the mask.
    workspace.reluBackward(linear1.out, linear2.dInput, this.dHidden, rows * ffn);
    linear1.backward(this.dHidden);
    norm1.backward(norm2.dInput, linear1.dInput);
    attention.backward(norm1.dInput, norm1.dInput);
  }
}
