import type { GraphBody } from "./onnx-graph.ts";
import type { Rng } from "./rng.ts";
import type { Network, ParamShape } from "./spec.ts";

/** What every spec has: the architecture's name and the window-to-horizon shape of a forecast. */
export interface SpecBase {
  architecture: string;
  windowSize: number;
  horizon: number;
  highway?: boolean;
}

/**
 * One kind of network: how to check its spec, the parameters it has, how to build it, and how it is written
 * to and read from ONNX. Everything the trainer, exporter and importer need goes through this.
 */
export interface Architecture<S extends SpecBase> {
  readonly name: S["architecture"];
  /** Checks a spec from a file, config or caller; throws naming the first field that is wrong. */
  validate(value: unknown): S;
  /** Parameter names and shapes in PyTorch's layout and order. */
  paramShapes(spec: S): ParamShape[];
  /** The width of the last features, `last_hidden` in the graph, that the head and a quantile head read. */
  featureWidth(spec: S): number;
  create(spec: S, rng: Rng): Network;
  onnx: {
    opset: number;
    irVersion: number;
    graph(spec: S, param: (name: string) => Float32Array): GraphBody;
    /** The parameters, by the names of `paramShapes`, from the initializers `graph` writes. */
    params(spec: S, read: (name: string, dims: number[]) => Float32Array): Map<string, Float32Array>;
  };
}
