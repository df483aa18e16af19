import { readFileSync } from "node:fs";

/** PyTorch float64 results for a network (see test/fixtures/reference, copied from the shared references). */
export interface GoldenTensor {
  shape: number[];
  data: number[];
}

export interface Golden {
  shapes: Record<string, number>;
  initial_params: Record<string, GoldenTensor>;
  x: GoldenTensor;
  y: GoldenTensor;
  output: number[] | GoldenTensor;
  mse_loss: number;
  grads: Record<string, GoldenTensor>;
  adam: {
    lr: number;
    betas: [number, number];
    eps: number;
    steps: number;
    losses_before_each_step: number[];
    params_after: Record<string, GoldenTensor>;
  };
}

export function readGolden(file: "cnn_lstm_golden.json" | "transformer_golden.json"): Golden {
  return JSON.parse(readFileSync(new URL(`../fixtures/reference/${file}`, import.meta.url), "utf8"));
}

/** The values of a golden output, stored as a flat list or as a tensor. */
export function outputValues(golden: Golden): number[] {
  return Array.isArray(golden.output) ? golden.output : golden.output.data;
}

export function dataOf(tensors: Record<string, GoldenTensor>): Record<string, number[]> {
  return Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, t.data]));
}
