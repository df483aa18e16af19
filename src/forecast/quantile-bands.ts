import type { SeriesStats } from "../artifact/index.ts";
import { boundIndices } from "../forecasters/quantile-bands.ts";
import { levelKey } from "../intervals/index.ts";
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
    const value = (h: number, j: number) => {
      const v = output[(row * horizon + h) * q + j] * stats.std + stats.mean;
      return clipNegative ? Math.max(0, v) : v;
    };
    const steps = Array.from({ length: horizon }, (_, h) => h);
    return Object.fromEntries(
      levels.map((level, i) => [
        levelKey(level),
        { lower: steps.map((h) => value(h, bounds[i][0])), upper: steps.map((h) => value(h, bounds[i][1])) },
      ]),
    );
  }
}
