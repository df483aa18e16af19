import type { MemberName } from "../forecasters/index.ts";
import {
  type Band,
  conformalQuantile,
  halfWidths,
  headScaledBand,
  headScaledScores,
  type IntervalMetrics,
  levelKey,
} from "../intervals/index.ts";
import type { MemberRun } from "./cross-validation.ts";
import { crossValidatedBands } from "./cv-intervals.ts";

/** How the ensemble's bands are made: conformal on each series' scale, or on a quantile head's widths. */
export type EnsembleBandMethod = "conformal" | "head_scaled";

/** Head-scaled bands of the ensemble (src/intervals/head-scaled.ts) from one member's quantile head. */
export interface HeadScaled {
  member: MemberName;
  /** Per level name, the factor of the head's half-widths, from the scores of every origin. */
  quantiles: Record<string, number>;
  /** Each series' head half-widths per level name at its end, for its final forecast. */
  finalWidths: Record<string, number[]>[];
}

/** The method chosen, the cross-validated scores that chose it, and what head-scaled bands need. */
export interface EnsembleBands {
  method: EnsembleBandMethod;
  cv: { conformal: IntervalMetrics; head_scaled: IntervalMetrics | null };
  headScaled: HeadScaled | null;
}

export interface EnsembleBandsInput {
  runs: readonly MemberRun[];
  actuals: readonly (readonly Float64Array[])[];
  /** The ensemble's cross-fitted forecasts at the origins, which its conformal scores are measured on too. */
  forecasts: readonly (readonly Float64Array[])[];
  /** Each series' MASE scale, which MSIS divides by. */
  scales: readonly number[];
  levels: readonly number[];
  clipNegative: boolean;
  /** The conformal bands' cross-validated scores. */
  conformal: IntervalMetrics;
  /** Each member's cross-validation MASE: the best one with a quantile head lends its widths. */
  memberMase: Readonly<Record<string, number>>;
}

/**
 * Chooses the ensemble's bands by their cross-validated interval scores, each origin's bands calibrated on
 * the other origins (as the conformal ones are scored): head-scaled when the best member with a quantile head
 * gives a lower mean MSIS over the levels than the conformal bands, else conformal. Reads the fitting part
 * only: the origins, their actuals and the members' forecasts there.
 */
export function chooseEnsembleBands(input: EnsembleBandsInput): EnsembleBands {
  const head = headMember(input.runs, input.memberMase);
  const conformal: EnsembleBands = {
    method: "conformal",
    cv: { conformal: input.conformal, head_scaled: null },
    headScaled: null,
  };
  if (head === null) return conformal;
  const widths = originWidths(head, input.levels);
  const quantiles: Record<string, number> = {};
  for (const level of input.levels) {
    const key = levelKey(level);
    quantiles[key] = conformalQuantile(headScaledScores(input.actuals, input.forecasts, widths[key]), level);
  }
  if (!Object.values(quantiles).every(Number.isFinite)) return conformal;
  const headCv = crossValidatedHeadScaled(input, widths);
  const finalWidths = head.headBands.final.map((bands) =>
    Object.fromEntries(input.levels.map((level) => [levelKey(level), halfWidths(bands[levelKey(level)])])),
  );
  const headScore = meanMsis(headCv, input.levels);
  // A NaN conformal score (no origin calibrated another) loses to any head score.
  const headWins = Number.isFinite(headScore) && !(headScore >= meanMsis(input.conformal, input.levels));
  return {
    method: headWins ? "head_scaled" : "conformal",
    cv: { conformal: input.conformal, head_scaled: headCv },
    headScaled: { member: head.name, quantiles, finalWidths },
  };
}

type HeadRun = MemberRun & { headBands: NonNullable<MemberRun["headBands"]> };

/** The member with a quantile head and the lowest cross-validation MASE, or null when none has a head. */
function headMember(runs: readonly MemberRun[], mase: Readonly<Record<string, number>>): HeadRun | null {
  const withHead = runs.filter((run): run is HeadRun => run.headBands !== undefined);
  const score = (run: MemberRun) => (Number.isFinite(mase[run.name]) ? mase[run.name] : Infinity);
  return withHead.reduce<HeadRun | null>(
    (best, run) => (best && score(best) <= score(run) ? best : run),
    null,
  );
}

/** Per level name, the head's half-widths at every origin: `[s][k][h]`. */
function originWidths(head: HeadRun, levels: readonly number[]): Record<string, number[][][]> {
  return Object.fromEntries(
    levels.map((level) => [
      levelKey(level),
      head.headBands.cv.map((list) => list.map((bands) => halfWidths(bands[levelKey(level)]))),
    ]),
  );
}

/** Mean MSIS over the levels; NaN when one is missing. */
function meanMsis(metrics: IntervalMetrics, levels: readonly number[]): number {
  if (levels.length === 0) return Number.NaN;
  return levels.reduce((sum, level) => sum + metrics[`msis_${levelKey(level)}`], 0) / levels.length;
}

/** Cross-validated scores (crossValidatedBands) of head-scaled bands, one quantile per level from the other origins. */
function crossValidatedHeadScaled(
  input: EnsembleBandsInput,
  widths: Record<string, number[][][]>,
): IntervalMetrics {
  const { actuals, forecasts, levels } = input;
  return crossValidatedBands(actuals, forecasts, input.scales, levels, (others) => {
    const quantiles = levels.map((level) => {
      const scores = headScaledScores(others(actuals), others(forecasts), others(widths[levelKey(level)]));
      return conformalQuantile(scores, level);
    });
    if (!quantiles.every(Number.isFinite)) return null;
    return (s, k) =>
      Object.fromEntries(
        levels.map((level, l) => {
          const key = levelKey(level);
          return [key, headScaledBand(forecasts[s][k], widths[key][s][k], quantiles[l], input.clipNegative)];
        }),
      );
  });
}

/** A series' head-scaled bands around its final forecast, one per level. */
export function headScaledFinalBands(
  headScaled: HeadScaled,
  series: number,
  point: ArrayLike<number>,
  levels: readonly number[],
  clipNegative: boolean,
): Record<string, Band> {
  return Object.fromEntries(
    levels.map((level) => {
      const key = levelKey(level);
      const widths = headScaled.finalWidths[series][key];
      return [key, headScaledBand(point, widths, headScaled.quantiles[key], clipNegative)];
    }),
  );
}
