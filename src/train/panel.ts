import type { Series } from "../data/index.ts";
import { type FitContext, type MemberName, WINDOW_MEMBERS } from "../forecasters/index.ts";
import { averageMetrics, type ErrorMetrics } from "../metrics/index.ts";
import {
  cvActuals,
  cvOrigins,
  cvScales,
  ensembleCvForecasts,
  type MemberRun,
  pooledErrors,
  runMember,
  weightsFromCv,
} from "./cross-validation.ts";
import { combine, ENSEMBLE_METHODS, type EnsembleMethod } from "./ensemble.ts";

export interface PanelOptions {
  members: readonly MemberName[];
  /** A method, or `auto`: the one whose ensemble scores best in the cross-validation. */
  ensemble: EnsembleMethod | "auto";
  /** Cross-validation origins per series, and the periods between them. */
  windows: number;
  step: number;
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
  /** Naive and seasonal naive on the same origins, whether members or not. */
  baselines: Record<string, ErrorMetrics>;
  /**
   * The window-capable member with the lowest cross-validation MASE: it serves the window routes. With
   * features, the linear member (the one whose graph takes them).
   */
  windowMember: MemberName | null;
}

const BASELINES: readonly MemberName[] = ["naive", "seasonal_naive"];

function averaged(perSeries: readonly (ErrorMetrics | null)[]): ErrorMetrics {
  return averageMetrics(perSeries.filter((m): m is ErrorMetrics => m !== null));
}

/**
 * Fits every member on the series (their fitting parts only), forecasts the cross-validation origins and the
 * series' ends, weighs the members per series by their cross-validation errors, and combines.
 */
export function fitPanel(series: readonly Series[], context: FitContext, options: PanelOptions): Panel {
  const origins = cvOrigins(series, context.split, options.windows, options.step);
  const actuals = cvActuals(series, origins, context.horizon);
  const scales = cvScales(series, origins, context.season);
  const runs = options.members.map((name) => runMember(name, series, context, origins));
  const candidates = options.ensemble === "auto" ? ENSEMBLE_METHODS : [options.ensemble];
  const scored = candidates.map((method) => {
    const cv = ensembleCvForecasts(method, runs, actuals, origins, context.horizon);
    return { method, cv, metrics: averaged(pooledErrors(actuals, cv, scales)) };
  });
  // The lowest cross-validation MASE; on a tie (or no MASE) the earlier method in ENSEMBLE_METHODS' order.
  const best = scored.reduce((a, b) => (b.metrics.mase < a.metrics.mase ? b : a));
  const { method, cv: ensembleCv } = best;
  const weights = weightsFromCv(method, runs, actuals);
  const ensembleFinal = series.map((_, s) =>
    combine(
      runs.map((run) => run.final[s]),
      weights[s].every(Number.isFinite) ? weights[s] : runs.map(() => 1 / runs.length),
    ),
  );
  const members = Object.fromEntries(
    runs.map((run) => [run.name, averaged(pooledErrors(actuals, run.cv, scales))]),
  );
  const baselines = Object.fromEntries(
    BASELINES.map((name) => [
      name,
      members[name] ?? averaged(pooledErrors(actuals, runMember(name, series, context, origins).cv, scales)),
    ]),
  );
  // With features, only the linear member reads them in its graph: it serves the window routes.
  const servable = context.features ? ["linear"] : WINDOW_MEMBERS;
  const windowMember =
    runs
      .filter((run) => servable.includes(run.name))
      .map((run) => ({ name: run.name, mase: members[run.name].mase }))
      .sort(
        (a, b) =>
          (Number.isFinite(a.mase) ? a.mase : Infinity) - (Number.isFinite(b.mase) ? b.mase : Infinity),
      )[0]?.name ?? null;
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
    baselines,
    windowMember,
  };
}
