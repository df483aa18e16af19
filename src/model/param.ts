import type { Rng } from "./rng.ts";
import { type Network, type Param, sizeOf } from "./spec.ts";

/** Parameter values by PyTorch name, as a state dict, an ONNX import or a golden file gives them. */
export type ParamSource =
  | ReadonlyMap<string, ArrayLike<number>>
  | Readonly<Record<string, ArrayLike<number>>>;

export function createParam(name: string, shape: number[]): Param {
  const size = sizeOf(shape);
  return { name, shape, data: new Float32Array(size), grad: new Float32Array(size) };
}

/** Fills with U(-bound, bound), PyTorch's default for every layer here: bound 1/√fan_in, or 1/√hidden for LSTM. */
export function initUniform(param: Param, bound: number, rng: Rng): void {
  const { data } = param;
  for (let i = 0; i < data.length; i++) data[i] = rng.uniformRange(-bound, bound);
}

/** Copies every parameter's values from `source`; throws, changing nothing, if any is missing, extra or misshapen. */
export function setParams(network: Network, source: ParamSource): void {
  const values: ReadonlyMap<string, ArrayLike<number>> = source instanceof Map
    ? source
    : new Map(Object.entries(source));
  const known = new Set(network.params.map((p) => p.name));
  const unknown = [...values.keys()].filter((name) => !known.has(name));
  if (unknown.length > 0) throw new Error(`unknown parameters: ${unknown.join(", ")}`);
  for (const { name, shape, data } of network.params) {
    const given = values.get(name);
    if (!given) throw new Error(`parameter ${name} is missing`);
    if (given.length !== data.length) {
      throw new Error(
        `parameter ${name} has ${given.length} values, expected ${data.length} for shape [${shape}]`,
      );
    }
  }
  for (const { name, data } of network.params) data.set(values.get(name) as ArrayLike<number>);
}
