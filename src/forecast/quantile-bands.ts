import type { SeriesStats } from "../artifact/index.ts";
import { bandsFromQuantiles, boundIndices } from "../forecasters/quantile-bands.ts";
import { ForecastInputError } from "./input-error.ts";
import type { Intervals } from "./intervals.ts";

/**
 * The window routes' bands from a network's quantile head: its ONNX `quantiles` output at each level's two
 * bounds, scaled back as the point is and clipped as it is. The head gives the levels it was trained for; any
 * other level is a ForecastInputError naming those it can.
 */
export class QuantileBands {
  constructor(private readonly quantiles: readonly number[]) {}

  /** Throws for a level the head was not trained for. */
  check(levels: readonly number[]): void {
    try {
      boundIndices(this.quantiles, levels);
    } catch (error) {
      throw new ForecastInputError(`level: ${(error as Error).message}`, "level");
    }
  }

  /** Row `row`'s bands from the graph's `[batch, horizon, quantiles]` output. */
  bands(
    output: Float32Array,
    row: number,
    horizon: number,
    stats: SeriesStats,
    levels: readonly number[],
    clipNegative: boolean,
  ): Intervals {
    const q = this.quantiles.length;
    const bounds = boundIndices(this.quantiles, levels);
    return bandsFromQuantiles(output, row * horizon * q, q, horizon, bounds, levels, stats, clipNegative);
  }
}
