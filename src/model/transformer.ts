import { UNALLOCATED } from "./array-ops.ts";
import { EncoderLayer } from "./encoder-layer.ts";
import { CovariateHead, FeatureInput, featureCount, inputFeatures, inputWidth } from "./feature-input.ts";
import { Highway } from "./highway.ts";
import { Linear } from "./linear.ts";
import { QuantileHead } from "./quantile-head.ts";
import type { Rng } from "./rng.ts";
import type { Network, Param } from "./spec.ts";
import { StepEmbedding } from "./step-embedding.ts";
import { encoderLayerPrefix, type TransformerSpec, validateTransformerSpec } from "./transformer-spec.ts";
import { Workspace } from "./workspace.ts";

/**
 * The Transformer forecaster: `x[batch, window]` → per-step Linear(1 → d) + sinusoidal positions → post-norm
 * encoder layers → the last position → Linear(d → horizon), plus, with `spec.highway`, a linear map of the
 * raw window to the horizon. With `spec.features`, each row of `x` carries the window's features too
 * (`inputWidth`): those of the window's periods join each step's value in the embedding, those of the
 * horizon's periods the forecast through the covariate head. Parameters are created in the order and shapes
 * of `transformerParamShapes(spec)`.
 */
export function createTransformer(spec: TransformerSpec, rng: Rng): Network {
  return new Transformer(validateTransformerSpec(spec), rng);
}

class Transformer implements Network {
  readonly params: Param[];
  readonly head: Param[];
  private readonly workspace = new Workspace();
  private readonly embed: StepEmbedding;
  private readonly layers: EncoderLayer[] = [];
  private readonly fc: Linear;
  private readonly highway: Highway | null;
  /** With features: the input rows split into window and features, and the horizon's features' head. */
  private readonly input: FeatureInput | null;
  private readonly covariateHead: CovariateHead | null;
  readonly quantileHead: QuantileHead | null;
  private last = UNALLOCATED;
  private dTop = UNALLOCATED;
  private capacity = 0;
  private batch = 0;
  private output = new Float32Array(0);

  constructor(
    readonly spec: TransformerSpec,
    rng: Rng,
  ) {
    const { windowSize, dModel, heads, ffn, layers, horizon } = spec;
    const features = featureCount(spec);
    this.embed = new StepEmbedding(this.workspace, windowSize, dModel, rng, {
      features,
      periods: windowSize + horizon,
    });
    for (let layer = 0; layer < layers; layer++) {
      const prefix = encoderLayerPrefix(layer);
      this.layers.push(new EncoderLayer(this.workspace, dModel, heads, ffn, windowSize, prefix, rng));
    }
    this.fc = new Linear(this.workspace, dModel, horizon, "head", rng);
    this.highway = spec.highway ? new Highway(windowSize, horizon, rng) : null;
    this.head = [this.fc.weight, this.fc.bias];
    this.params = [
      this.embed.weight,
      this.embed.bias,
      ...this.layers.flatMap((layer) => layer.params),
      ...this.head,
    ];
    if (this.highway) this.params.push(this.highway.weight, this.highway.bias);
    this.input = inputFeatures(spec) > 0 ? new FeatureInput(spec) : null;
    this.covariateHead = features > 0 ? new CovariateHead(windowSize, horizon, features) : null;
    if (this.covariateHead) this.params.push(this.covariateHead.weight);
    this.quantileHead = spec.quantiles ? new QuantileHead(dModel, horizon, spec.quantiles) : null;
    if (this.quantileHead) this.params.push(...this.quantileHead.params);
  }

  forward(x: Float32Array, batch: number): Float32Array {
    const { windowSize: t, dModel: d, horizon } = this.spec;
    if (!Number.isInteger(batch) || batch < 1) {
      throw new RangeError(`batch must be a positive integer, got ${batch}`);
    }
    const width = inputWidth(this.spec);
    if (x.length < batch * width) {
      throw new RangeError(
        `x has ${x.length} values, a batch of ${batch} rows of ${width} needs ${batch * width}`,
      );
    }
    this.reserve(batch);
    this.input?.split(x, batch);
    const window = this.input ? this.input.values : x;
    this.embed.forward(window, batch, this.input?.covariates);
    let sequence = this.embed.out;
    for (const layer of this.layers) {
      layer.forward(sequence, batch);
      sequence = layer.out;
    }
    for (let b = 0; b < batch; b++) {
      const row = (b * t + t - 1) * d;
      this.last.set(sequence.subarray(row, row + d), b * d);
    }
    this.fc.forward(this.last, 0, batch);
    if (this.output.length !== batch * horizon) this.output = new Float32Array(batch * horizon);
    this.output.set(this.fc.out.subarray(0, batch * horizon));
    if (this.highway) {
      this.highway.forward(window, batch);
      const { out } = this.highway;
      for (let i = 0; i < batch * horizon; i++) this.output[i] += out[i];
    }
    if (this.input) this.covariateHead?.forward(this.input.covariates, batch, this.output);
    this.quantileHead?.forward(this.last, 0, this.output, batch);
    this.batch = batch;
    return this.output;
  }

  backward(dOut: Float32Array): void {
    const { batch } = this;
    if (batch === 0) throw new Error("backward called before forward");
    const { windowSize: t, dModel: d, horizon } = this.spec;
    if (dOut.length < batch * horizon) {
      throw new RangeError(`dOut has ${dOut.length} values, the last forward produced ${batch * horizon}`);
    }
    this.highway?.backward(dOut);
    this.covariateHead?.backward(dOut);
    this.fc.backward(dOut);
    // Only the last position feeds the head.
    const { dTop } = this;
    dTop.fill(0, 0, batch * t * d);
    for (let b = 0; b < batch; b++)
      dTop.set(this.fc.dInput.subarray(b * d, (b + 1) * d), (b * t + t - 1) * d);
    let dSequence = dTop;
    for (let layer = this.layers.length - 1; layer >= 0; layer--) {
      this.layers[layer].backward(dSequence);
      dSequence = this.layers[layer].dInput;
    }
    this.embed.backward(dSequence);
  }

  zeroGrad(): void {
    for (const param of this.params) param.grad.fill(0);
  }

  /** Lays out buffers for `batch` when it exceeds every batch seen so far; smaller ones reuse them. */
  private reserve(batch: number): void {
    if (batch <= this.capacity) return;
    const { windowSize: t, dModel: d } = this.spec;
    this.workspace.layout(() => {
      this.embed.allocate(batch);
      for (const layer of this.layers) layer.allocate(batch);
      this.fc.allocate(batch);
      this.last = this.workspace.alloc(batch * d);
      this.dTop = this.workspace.alloc(batch * t * d);
    });
    this.highway?.allocate(batch);
    this.input?.allocate(batch);
    this.quantileHead?.allocate(batch);
    this.capacity = batch;
  }
}
