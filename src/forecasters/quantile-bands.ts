import type { WindowScaler } from "../data/index.ts";
import type { SeriesFeatures } from "../features/index.ts";
import { type Band, levelKey } from "../intervals/index.ts";
import { inputWidth, type Network, packInputRows } from "../model/index.ts";
import type { BandFunction } from "./types.ts";
import { checkWanted, requestFeatures, scaledWindows } from "./window.ts";

const CHUNK = 256;

/**
 * The positions in `quantiles` of each level's two bounds, (100 - L)/200 and 1 - (100 - L)/200; throws naming
 * the levels the head can give when one is not among them.
 */
export function boundIndices(quantiles: readonly number[], levels: readonly number[]): [number, number][] {
  const near = (p: number) => quantiles.findIndex((q) => Math.abs(q - p) < 1e-9);
  return levels.map((level) => {
    const lower = near((100 - level) / 200);
    const upper = near(1 - (100 - level) / 200);
    if (lower < 0 || upper < 0) {
      throw new RangeError(
        `the quantile head gives the levels ${headLevels(quantiles).join(", ")}, not ${level}`,
      );
    }
    return [lower, upper];
  });
}

/** The levels whose two bounds are both among `quantiles` (each pair around the median), ascending. */
export function headLevels(quantiles: readonly number[]): number[] {
  return quantiles
    .filter((q) => q < 0.5 && quantiles.some((other) => Math.abs(other - (1 - q)) < 1e-9))
    .map((q) => Math.round((1 - 2 * q) * 1e6) / 1e4)
    .sort((a, b) => a - b);
}

/**
 * One window's bands from a head's quantiles `values` (`[horizon, Q]` from element `offset`) at the bounds
 * `boundIndices` gave for `levels`, the first `steps` steps, scaled back as `v · std + mean`, then raised to 0
 * when `clipNegative`.
 */
export function bandsFromQuantiles(
  values: Float32Array,
  offset: number,
  q: number,
  steps: number,
  bounds: readonly [number, number][],
  levels: readonly number[],
  stats: { mean: number; std: number },
  clipNegative: boolean,
): Record<string, Band> {
  const at = (h: number, j: number) => {
    const v = values[offset + h * q + j] * stats.std + stats.mean;
    return clipNegative ? Math.max(0, v) : v;
  };
  const bands: Record<string, Band> = {};
  levels.forEach((level, i) => {
    const [lower, upper] = bounds[i];
    bands[levelKey(level)] = {
      lower: Array.from({ length: steps }, (_, h) => at(h, lower)),
      upper: Array.from({ length: steps }, (_, h) => at(h, upper)),
    };
  });
  return bands;
}

/**
 * Bands from a network's quantile head: each request's window (and, for a network with features, its
 * features) as for its point forecast, the head's quantiles at each level's bounds scaled back with the
 * window's stats, in sales units (not yet clipped).
 */
export function quantileBandForecast(
  network: Network,
  scaler: WindowScaler,
  features?: SeriesFeatures,
): BandFunction {
  const { windowSize, horizon, quantiles } = network.spec;
  if (!network.quantileHead || !quantiles) throw new Error("this network has no quantile head");
  const head = network.quantileHead;
  const q = quantiles.length;
  const width = inputWidth(network.spec);
  return async (requests, wanted, levels) => {
    checkWanted(wanted, horizon);
    const bounds = boundIndices(quantiles, levels);
    const { x: windows, stats } = scaledWindows(requests, scaler, windowSize);
    const x = features
      ? packInputRows(
          network.spec,
          windows,
          requestFeatures(requests, features, windowSize, horizon),
          requests.length,
        )
      : windows;
    const out: Record<string, Band>[] = [];
    for (let start = 0; start < requests.length; start += CHUNK) {
      const size = Math.min(CHUNK, requests.length - start);
      network.forward(x.subarray(start * width, (start + size) * width), size);
      for (let row = 0; row < size; row++) {
        const offset = row * horizon * q;
        out.push(bandsFromQuantiles(head.out, offset, q, wanted, bounds, levels, stats[start + row], false));
      }
    }
    return out;
  };
}
