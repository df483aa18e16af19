import type { Architecture, SpecBase } from "./architecture.ts";
import { createCnnLstm } from "./cnn-lstm.ts";
import { cnnLstmGraph, cnnLstmParamsFromOnnx } from "./cnn-lstm-onnx.ts";
import { validateCnnLstmSpec } from "./onnx-format.ts";
import type { Rng } from "./rng.ts";
import {
  type CnnLstmSpec,
  cnnLstmParamShapes,
  type Network,
  type NetworkSpec,
  type ParamShape,
} from "./spec.ts";
import { createTransformer } from "./transformer.ts";
import { transformerGraph } from "./transformer-onnx.ts";
import { type TransformerSpec, transformerParamShapes, validateTransformerSpec } from "./transformer-spec.ts";

const cnnLstm: Architecture<CnnLstmSpec> = {
  name: "cnn_lstm",
  validate: validateCnnLstmSpec,
  paramShapes: cnnLstmParamShapes,
  featureWidth: (spec) => spec.lstmHidden,
  create: createCnnLstm,
  // Opset 14 is the first whose LSTM has the `layout` attribute; IR version 7 is the one that goes with it.
  onnx: {
    opset: 14,
    irVersion: 7,
    graph: cnnLstmGraph,
    params: (spec, read) => cnnLstmParamsFromOnnx(spec, read, cnnLstmParamShapes(spec)),
  },
};

const transformer: Architecture<TransformerSpec> = {
  name: "transformer",
  validate: validateTransformerSpec,
  paramShapes: transformerParamShapes,
  featureWidth: (spec) => spec.dModel,
  create: createTransformer,
  // Opset 17 is the first with LayerNormalization; IR version 8 is the one that goes with it.
  onnx: {
    opset: 17,
    irVersion: 8,
    graph: transformerGraph,
    params: (spec, read) =>
      new Map(transformerParamShapes(spec).map(({ name, shape }) => [name, read(name, shape)])),
  },
};

/** Every architecture the engine has, one line each; `NetworkSpec` in spec.ts lists their spec types. */
const ARCHITECTURES: {
  [Name in NetworkSpec["architecture"]]: Architecture<Extract<NetworkSpec, { architecture: Name }>>;
} = {
  cnn_lstm: cnnLstm,
  transformer,
};

export const ARCHITECTURE_NAMES = Object.keys(ARCHITECTURES) as NetworkSpec["architecture"][];

/** The architecture a spec names; throws, listing the known ones, for any other name. */
export function architectureOf<S extends NetworkSpec>(spec: Pick<S, "architecture">): Architecture<S> {
  const name = spec.architecture;
  if (!Object.hasOwn(ARCHITECTURES, name)) {
    const known = ARCHITECTURE_NAMES.map((n) => JSON.stringify(n)).join(", ");
    throw new Error(`spec.architecture must be one of ${known}, got ${JSON.stringify(name)}`);
  }
  return ARCHITECTURES[name] as unknown as Architecture<S>;
}

/** Checks any spec: its architecture, then that architecture's own fields. */
export function validateSpec(value: unknown): NetworkSpec {
  if (typeof value !== "object" || value === null) throw new Error("spec must be an object");
  return architectureOf(value as SpecBase as NetworkSpec).validate(value);
}

/** Builds the network a spec describes, its parameters initialized from `rng`. */
export function createNetwork(spec: NetworkSpec, rng: Rng): Network {
  return architectureOf(spec).create(spec, rng);
}

export function paramShapes(spec: NetworkSpec): ParamShape[] {
  return architectureOf(spec).paramShapes(spec);
}
