import type { Series } from "../data/index.ts";
import { type FitContext, type MemberName, WINDOW_MEMBERS } from "../forecasters/index.ts";
import {
  type ConformalScores,
  conformalScores,
  historyScale,
  type IntervalMetrics,
} from "../intervals/index.ts";
import { averageMetrics, type ErrorMetrics } from "../metrics/index.ts";
import {
  cvActuals,
  cvOrigins,
  cvScales,
  ensembleCrossFitForecasts,
  ensembleCvForecasts,
  type MemberRun,
  pooledErrors,
  runMember,
  sampledOrigins,
  weightsFromCv,
} from "./cross-validation.ts";
import { crossValidatedIntervals } from "./cv-intervals.ts";
import { combine, ENSEMBLE_METHODS, type EnsembleMethod } from "./ensemble.ts";
import { chooseEnsembleBands, type EnsembleBands } from "./ensemble-bands.ts";

export interface PanelOptions {
  members: readonly MemberName[];
  /** A method, or `auto`: the one whose ensemble scores best in the cross-validation. */
  ensemble: EnsembleMethod | "auto";
  /** Cross-validation origins per series, and the periods between them. */
  windows: number;
  step: number;
  /** Series scored by the cross-validation at most, a sample seeded by `train.seed` (0: all of them). */
  cvSeries: number;
}

/** The members of a model fitted together, scored by cross-validation, and combined. */
export interface Panel {
  runs: MemberRun[];
  origins: number[][];
  actuals: Float64Array[][];
  scales: number[];
  /** Each series' weights over `runs`, from all its origins: what combines the final forecasts. */
  weights: number[][];
  ensembleCv: Float64Array[][];
  /** The method that combined the members (what `auto` chose). */
  method: EnsembleMethod;
  /** The ensemble's forecast from the end of each series. */
  ensembleFinal: Float64Array[];
  /** Cross-validation metrics averaged over series: each member's, and the ensemble's. */
  cvMetrics: { ensemble: ErrorMetrics; members: Record<string, ErrorMetrics> };
  /** Cross-validation interval scores at `model.levels`, each origin calibrated on the others. */
  cvIntervals: { ensemble: IntervalMetrics; members: Record<string, IntervalMetrics> };
  /** Naive and seasonal naive on the same origins, whether members or not. */
  baselines: Record<string, ErrorMetrics>;
  /**
   * The window-capable member with the lowest cross-validation MASE: it serves the window routes (with
   * features, its graph takes them as its `covariates` input).
   */
  windowMember: MemberName | null;
  /** How the ensemble's bands are made, chosen by their cross-validated scores (`cvIntervals.ensemble`'s). */
  ensembleBands: EnsembleBands;
  /** Conformal scores from the cross-validation errors: the ensemble's, and each member's (`runs` order). */
  intervalScores: { ensemble: ConformalScores; members: ConformalScores[] };
  /** Each series' scale over all of it: a final forecast's interval half-width is a score times this. */
  finalScales: number[];
  /** The window member's conformal scores, in units of the std that scales its input window. */
  windowScores: ConformalScores | null;
}

const BASELINES: readonly MemberName[] = ["naive", "seasonal_naive"];

function averaged(perSeries: readonly (ErrorMetrics | null)[]): ErrorMetrics {
  return averageMetrics(perSeries.filter((m): m is ErrorMetrics => m !== null));
}

/**
 * Fits every member on the series (their fitting parts only), forecasts the cross-validation origins and the
 * series' ends, weighs the members per series by their cross-validation errors, and combines.
 */
export async function fitPanel(
  series: readonly Series[],
  context: FitContext,
  options: PanelOptions,
): Promise<Panel> {
  const origins = sampledOrigins(
    cvOrigins(series, context.split, options.windows, options.step),
    options.cvSeries,
    context.config.train.seed,
  );
  const actuals = cvActuals(series, origins, context.horizon);
  const scales = cvScales(series, origins, context.season);
  // One member after another: a network's training holds this thread, the statistical members use the pool.
  const runs: MemberRun[] = [];
  for (const name of options.members) runs.push(await runMember(name, series, context, origins));
  const candidates = options.ensemble === "auto" ? ENSEMBLE_METHODS : [options.ensemble];
  const scored = candidates.map((method) => {
    const cv = ensembleCvForecasts(method, runs, actuals, origins, scales, context.horizon);
    return { method, cv, metrics: averaged(pooledErrors(actuals, cv, scales)) };
  });
  // The lowest cross-validation MASE; on a tie (or no MASE) the earlier method in ENSEMBLE_METHODS' order.
  const best = scored.reduce((a, b) => (b.metrics.mase < a.metrics.mase ? b : a));
  const { method, cv: ensembleCv } = best;
  const weights = weightsFromCv(method, runs, actuals, scales);
  const ensembleFinal = series.map((_, s) =>
    combine(
      runs.map((run) => run.final[s]),
      weights[s].every(Number.isFinite) ? weights[s] : runs.map(() => 1 / runs.length),
    ),
  );
  const members = Object.fromEntries(
    runs.map((run) => [run.name, averaged(pooledErrors(actuals, run.cv, scales))]),
  );
  const baselines: Record<string, ErrorMetrics> = {};
  for (const name of BASELINES) {
    baselines[name] =
      members[name] ??
      averaged(pooledErrors(actuals, (await runMember(name, series, context, origins)).cv, scales));
  }
  const windowMember =
    runs
      .filter((run) => WINDOW_MEMBERS.includes(run.name))
      .map((run) => ({ name: run.name, mase: members[run.name].mase }))
      .sort(
        (a, b) =>
          (Number.isFinite(a.mase) ? a.mase : Infinity) - (Number.isFinite(b.mase) ? b.mase : Infinity),
      )[0]?.name ?? null;
  // Each score is an error divided by the scale of the history before its origin, as a final forecast's
  // width will be a score times the scale of the whole history.
  const originScales = origins.map((list, s) =>
    list.map((origin) => historyScale(series[s].values.subarray(0, origin), context.season)),
  );
  const scoresOf = (cv: readonly (readonly Float64Array[])[]) =>
    conformalScores(actuals, cv, originScales, context.horizon);
  const ensembleCalibration = ensembleCrossFitForecasts(method, runs, actuals, origins, scales);
  const levels = context.config.model.levels;
  const clipNegative = context.config.forecast.clip_negative;
  const cvIntervalsOf = (cv: readonly (readonly Float64Array[])[]) =>
    crossValidatedIntervals(actuals, cv, originScales, scales, levels, context.horizon, clipNegative);
  const ensembleBands = chooseEnsembleBands({
    runs,
    actuals,
    forecasts: ensembleCalibration,
    scales,
    levels,
    clipNegative,
    conformal: cvIntervalsOf(ensembleCalibration),
    memberMase: Object.fromEntries(Object.entries(members).map(([name, m]) => [name, m.mase])),
  });
  return {
    runs,
    origins,
    actuals,
    scales,
    weights,
    ensembleCv,
    method,
    ensembleFinal,
    cvMetrics: { ensemble: best.metrics, members },
    cvIntervals: {
      ensemble: ensembleBands.cv[ensembleBands.method] ?? ensembleBands.cv.conformal,
      members: Object.fromEntries(runs.map((run) => [run.name, cvIntervalsOf(run.cv)])),
    },
    baselines,
    windowMember,
    ensembleBands,
    intervalScores: {
      ensemble: scoresOf(ensembleCalibration),
      members: runs.map((run) => scoresOf(run.cv)),
    },
    finalScales: series.map(({ values }) => historyScale(values, context.season)),
    windowScores:
      windowMember === null
        ? null
        : windowMemberScores(series, origins, actuals, runs, windowMember, context.horizon),
  };
}

/** The window member's errors at every origin over the std its input window there was scaled by. */
function windowMemberScores(
  series: readonly Series[],
  origins: readonly (readonly number[])[],
  actuals: readonly (readonly Float64Array[])[],
  runs: readonly MemberRun[],
  name: MemberName,
  horizon: number,
): ConformalScores | null {
  const run = runs.find((r) => r.name === name);
  const window = run?.fitted.window;
  if (!run || !window) return null;
  const stds = origins.map((list, s) =>
    list.map((origin) => window.inputStd(s, series[s].values.subarray(0, origin))),
  );
  return conformalScores(actuals, run.cv, stds, horizon);
}
