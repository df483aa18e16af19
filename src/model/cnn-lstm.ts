import { Conv1dRelu } from "./conv1d.ts";
import {
  CovariateHead,
  checkedFeatures,
  FeatureInput,
  featureCount,
  inputFeatures,
  inputWidth,
} from "./feature-input.ts";
import { Highway } from "./highway.ts";
import { Linear } from "./linear.ts";
import { Lstm } from "./lstm.ts";
import { checkedQuantiles, QuantileHead } from "./quantile-head.ts";
import type { Rng } from "./rng.ts";
import type { CnnLstmSpec, Network, Param } from "./spec.ts";
import { Workspace } from "./workspace.ts";

/**
 * The seed model: `x[batch, window]` → Conv1d(1 → channels) → ReLU → LSTM (batch-first in PyTorch's terms)
 * → last hidden state of the top layer → Linear(hidden → horizon), plus, with `spec.highway`, a linear map of
 * the raw window to the horizon. With `spec.features`, each row of `x` carries the window's features too
 * (`inputWidth`): those of the window's periods enter the convolution as extra input channels, those of the
 * horizon's periods the forecast through the covariate head. Parameters are created in the order and shapes
 * of `cnnLstmParamShapes(spec)`, initialized as PyTorch does from `rng`.
 */
export function createCnnLstm(spec: CnnLstmSpec, rng: Rng): Network {
  validateSpec(spec);
  return new CnnLstm(spec, rng);
}

function validateSpec(spec: CnnLstmSpec): void {
  const sizes = ["windowSize", "horizon", "convChannels", "kernelSize", "lstmHidden", "lstmLayers"] as const;
  for (const key of sizes) {
    if (!Number.isInteger(spec[key]) || spec[key] < 1) {
      throw new Error(`${key} must be a positive integer, got ${spec[key]}`);
    }
  }
  if (spec.kernelSize > spec.windowSize) {
    throw new Error(`kernelSize ${spec.kernelSize} is larger than windowSize ${spec.windowSize}`);
  }
  checkedQuantiles(spec.quantiles);
  checkedFeatures(spec.features, spec.featureColumns);
}

class CnnLstm implements Network {
  readonly params: Param[];
  readonly head: Param[];
  private readonly workspace = new Workspace();
  private readonly conv: Conv1dRelu;
  private readonly lstm: Lstm;
  private readonly fc: Linear;
  private readonly highway: Highway | null;
  /** With features: the input rows split into window and features, and the horizon's features' head. */
  private readonly input: FeatureInput | null;
  private readonly covariateHead: CovariateHead | null;
  readonly quantileHead: QuantileHead | null;
  private capacity = 0;
  private batch = 0;
  private output = new Float32Array(0);

  constructor(
    readonly spec: CnnLstmSpec,
    rng: Rng,
  ) {
    const { windowSize, convChannels, kernelSize, lstmHidden, lstmLayers, horizon } = spec;
    const features = featureCount(spec);
    this.conv = new Conv1dRelu(this.workspace, windowSize, convChannels, kernelSize, rng, {
      features,
      periods: windowSize + horizon,
    });
    this.lstm = new Lstm(this.workspace, convChannels, lstmHidden, lstmLayers, this.conv.steps, rng);
    this.fc = new Linear(this.workspace, lstmHidden, horizon, "fc", rng);
    this.highway = spec.highway ? new Highway(windowSize, horizon, rng) : null;
    this.head = [this.fc.weight, this.fc.bias];
    this.params = [this.conv.weight, this.conv.bias, ...this.lstm.params, ...this.head];
    if (this.highway) this.params.push(this.highway.weight, this.highway.bias);
    this.input = inputFeatures(spec) > 0 ? new FeatureInput(spec) : null;
    this.covariateHead = features > 0 ? new CovariateHead(windowSize, horizon, features) : null;
    if (this.covariateHead) this.params.push(this.covariateHead.weight);
    this.quantileHead = spec.quantiles ? new QuantileHead(lstmHidden, horizon, spec.quantiles) : null;
    if (this.quantileHead) this.params.push(...this.quantileHead.params);
  }

  forward(x: Float32Array, batch: number): Float32Array {
    const { horizon } = this.spec;
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
    this.conv.forward(window, batch, this.input?.covariates);
    this.lstm.forward(this.conv.out, batch);
    const lastStep = (this.conv.steps - 1) * batch * this.spec.lstmHidden;
    this.fc.forward(this.lstm.top.hidden, lastStep, batch);
    if (this.output.length !== batch * horizon) this.output = new Float32Array(batch * horizon);
    this.output.set(this.fc.out.subarray(0, batch * horizon));
    if (this.highway) {
      this.highway.forward(window, batch);
      const { out } = this.highway;
      for (let i = 0; i < batch * horizon; i++) this.output[i] += out[i];
    }
    if (this.input) this.covariateHead?.forward(this.input.covariates, batch, this.output);
    this.quantileHead?.forward(this.lstm.top.hidden, lastStep, this.output, batch);
    this.batch = batch;
    return this.output;
  }

  backward(dOut: Float32Array): void {
    if (this.batch === 0) throw new Error("backward called before forward");
    const needed = this.batch * this.spec.horizon;
    if (dOut.length < needed) {
      throw new RangeError(`dOut has ${dOut.length} values, the last forward produced ${needed}`);
    }
    this.highway?.backward(dOut);
    this.covariateHead?.backward(dOut);
    this.fc.backward(dOut);
    this.lstm.backward(this.fc.dInput);
    this.conv.backward(this.lstm.layers[0].dInput);
  }

  zeroGrad(): void {
    for (const param of this.params) param.grad.fill(0);
  }

  /** Lays out buffers for `batch` when it exceeds every batch seen so far; smaller ones reuse them. */
  private reserve(batch: number): void {
    if (batch <= this.capacity) return;
    this.workspace.layout(() => {
      this.conv.allocate(batch);
      this.lstm.allocate(batch);
      this.fc.allocate(batch);
    });
    this.highway?.allocate(batch);
    this.input?.allocate(batch);
    this.quantileHead?.allocate(batch);
    this.capacity = batch;
  }
}
