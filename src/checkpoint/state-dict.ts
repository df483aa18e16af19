/**
 * The original's CNN-LSTM state dict (`conv1.*`, `lstm.*`, `fc.*`) mapped onto salescast's spec and parameter
 * names (`conv.*`, `lstm.*`, `fc.*`). The sizes come from the checkpoint; every tensor is then checked against
 * the shapes that spec needs, so a network of another shape is refused naming the parameter.
 */
import { type CnnLstmSpec, cnnLstmParamShapes } from "../model/index.ts";
import type { CheckpointFile } from "./checkpoint-file.ts";
import { CheckpointError } from "./errors.ts";
import { PickleDict, type PickleValue, TensorRef } from "./unpickle.ts";

/** The original's name of each salescast parameter name that differs. */
const ORIGINAL_NAMES: Readonly<Record<string, string>> = {
  "conv.weight": "conv1.weight",
  "conv.bias": "conv1.bias",
};

const originalName = (name: string) => ORIGINAL_NAMES[name] ?? name;

const CNN_LSTM_PREFIXES = ["conv1.*", "lstm.*", "fc.*"];

export interface CheckpointModel {
  spec: CnnLstmSpec;
  /** Values by salescast's parameter names, in cnnLstmParamShapes(spec) order. */
  params: Map<string, Float32Array>;
  /** What Lightning recorded beside the weights, where present. */
  trainedEpochs: number | undefined;
  lightningVersion: string | undefined;
}

export interface ModelShapeOptions {
  windowSize: number;
  horizon: number;
}

const show = (shape: readonly number[]) => `[${shape.join(", ")}]`;

function entry(dict: PickleDict, key: string): PickleValue | undefined {
  return dict.entries.get(key);
}

/** Lightning saves `{"state_dict": OrderedDict, ...}`; a plain `torch.save(model.state_dict())` is the dict. */
function findStateDict(checkpoint: CheckpointFile): PickleDict {
  const { data, file } = checkpoint;
  if (!(data instanceof PickleDict)) throw new CheckpointError(`${file} holds no dict, so no state dict`);
  const nested = entry(data, "state_dict");
  if (nested instanceof PickleDict) return nested;
  if (nested !== undefined) throw new CheckpointError(`${file}: state_dict is not a dict`);
  return data;
}

function tensorsOf(file: string, dict: PickleDict): Map<string, TensorRef> {
  const tensors = new Map<string, TensorRef>();
  for (const [key, value] of dict.entries) {
    if (typeof key !== "string")
      throw new CheckpointError(`${file}: the state dict has a key that is not a name`);
    if (!(value instanceof TensorRef))
      throw new CheckpointError(`${file}: state dict entry ${key} is not a tensor`);
    tensors.set(key, value);
  }
  return tensors;
}

function shapeOf(
  file: string,
  tensors: Map<string, TensorRef>,
  name: string,
  rank: number,
): readonly number[] {
  const tensor = tensors.get(name);
  if (tensor === undefined) {
    throw new CheckpointError(
      `${file}: the state dict has no ${name}; a CNN-LSTM checkpoint holds ${CNN_LSTM_PREFIXES.join(", ")}`,
    );
  }
  if (tensor.shape.length !== rank) {
    throw new CheckpointError(
      `${file}: ${name} has shape ${show(tensor.shape)}, expected ${rank} dimensions`,
    );
  }
  return tensor.shape;
}

/** The spec the checkpoint's sizes describe: channels and kernel from conv1, hidden size and layers from lstm. */
function inferSpec(file: string, tensors: Map<string, TensorRef>, options: ModelShapeOptions): CnnLstmSpec {
  const [convChannels, , kernelSize] = shapeOf(file, tensors, "conv1.weight", 3);
  const [, lstmHidden] = shapeOf(file, tensors, "lstm.weight_hh_l0", 2);
  let lstmLayers = 1;
  while (tensors.has(`lstm.weight_ih_l${lstmLayers}`)) lstmLayers++;
  if (kernelSize > options.windowSize) {
    throw new CheckpointError(
      `${file}: conv1's kernel of ${kernelSize} is longer than the window of ${options.windowSize} (--window-size)`,
    );
  }
  return {
    architecture: "cnn_lstm",
    windowSize: options.windowSize,
    horizon: options.horizon,
    convChannels,
    kernelSize,
    lstmHidden,
    lstmLayers,
  };
}

function recordedNumber(data: PickleValue, key: string): number | undefined {
  const value = data instanceof PickleDict ? entry(data, key) : undefined;
  return typeof value === "number" ? value : undefined;
}

function recordedString(data: PickleValue, key: string): string | undefined {
  const value = data instanceof PickleDict ? entry(data, key) : undefined;
  return typeof value === "string" ? value : undefined;
}

/**
 * Reads the CNN-LSTM weights of a checkpoint. Every parameter the spec needs must be there with its shape, and
 * nothing else may be: a missing, extra or differently shaped tensor is refused with its name and shapes.
 */
export function readCnnLstmStateDict(
  checkpoint: CheckpointFile,
  options: ModelShapeOptions,
): CheckpointModel {
  const { file } = checkpoint;
  const tensors = tensorsOf(file, findStateDict(checkpoint));
  const spec = inferSpec(file, tensors, options);
  const params = new Map<string, Float32Array>();
  const unused = new Set(tensors.keys());
  for (const { name, shape } of cnnLstmParamShapes(spec)) {
    const original = originalName(name);
    const tensor = tensors.get(original);
    if (tensor === undefined) {
      throw new CheckpointError(
        `${file}: the state dict has no ${original}, which needs shape ${show(shape)}`,
      );
    }
    const matches =
      tensor.shape.length === shape.length && tensor.shape.every((size, i) => size === shape[i]);
    if (!matches) {
      const why = name.startsWith("fc.")
        ? ` (horizon ${options.horizon}, hidden size ${spec.lstmHidden})`
        : "";
      throw new CheckpointError(
        `${file}: ${original} has shape ${show(tensor.shape)}, the CNN-LSTM needs ${show(shape)}${why}`,
      );
    }
    params.set(name, checkpoint.read(tensor, original));
    unused.delete(original);
  }
  if (unused.size > 0) {
    throw new CheckpointError(
      `${file}: the state dict holds ${[...unused].join(", ")}, which a CNN-LSTM (${CNN_LSTM_PREFIXES.join(", ")}) ` +
        "has no place for",
    );
  }
  return {
    spec,
    params,
    trainedEpochs: recordedNumber(checkpoint.data, "epoch"),
    lightningVersion: recordedString(checkpoint.data, "pytorch-lightning_version"),
  };
}
