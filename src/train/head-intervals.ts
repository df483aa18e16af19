import { type Band, type IntervalMetrics, intervalMetrics, levelKey } from "../intervals/index.ts";
import type { Panel } from "./panel.ts";

/**
 * The interval scores of each member's quantile head (those that have one) at the cross-validation origins:
 * per series pooled over its origins, as the conformal intervals' are, averaged over series by the caller. The
 * head of the cross-validation forecasts was fitted on the windows before the validation part only.
 */
export function headCvIntervals(panel: Panel, levels: readonly number[]): Record<string, IntervalMetrics[]> {
  const out: Record<string, IntervalMetrics[]> = {};
  for (const run of panel.runs) {
    if (!run.headBands) continue;
    const { cv } = run.headBands;
    out[run.name] = panel.actuals.flatMap((list, s) => {
      if (list.length === 0) return [];
      const bands = concatenated(cv[s], levels);
      const actual = list.flatMap((a) => [...a]);
      const point = run.cv[s].flatMap((f) => [...f]);
      return [intervalMetrics(actual, point, bands, levels, panel.scales[s])];
    });
  }
  return out;
}

/** One band per level from a list of bands per origin, laid end to end. */
function concatenated(
  list: readonly Record<string, Band>[],
  levels: readonly number[],
): Record<string, Band> {
  return Object.fromEntries(
    levels.map((level) => {
      const key = levelKey(level);
      return [
        key,
        {
          lower: list.flatMap((bands) => bands[key].lower),
          upper: list.flatMap((bands) => bands[key].upper),
        },
      ];
    }),
  );
}
