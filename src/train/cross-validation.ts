import type { Series, SplitOptions } from "../data/index.ts";
import { clipForecast, sampleIndices, splitBounds } from "../data/index.ts";
import {
  type FitContext,
  type FittedMember,
  type ForecastRequest,
  MEMBERS,
  type MemberName,
} from "../forecasters/index.ts";
import type { Band } from "../intervals/index.ts";
import { type ErrorMetrics, errorMetrics, mae, seasonalNaiveScale } from "../metrics/index.ts";
import { Rng } from "../model/rng.ts";
import { combine, type EnsembleMethod, ensembleWeights } from "./ensemble.ts";
import { largest } from "./extremes.ts";
import { pooledWeights } from "./pooled-weights.ts";

/**
 * Rolling-origin cross-validation origins of each series: `windows` forecast origins spaced `step` apart, the
 * last one `horizon` before the end of the series, all inside its validation part (at or after `trainEnd`), so
 * a member forecasts each of them with what it learned before that part. A short series gets fewer origins.
 */
export function cvOrigins(
  series: readonly Series[],
  split: SplitOptions,
  windows: number,
  step: number,
): number[][] {
  return series.map(({ values }) => {
    const { trainEnd, fitEnd } = splitBounds(values.length, split);
    const origins: number[] = [];
    for (let k = 0; k < windows; k++) {
      const origin = fitEnd - split.horizon - k * step;
      if (origin < trainEnd || origin < split.windowSize) break;
      origins.unshift(origin);
    }
    return origins;
  });
}

/**
 * The origins with only a seeded sample of `count` series keeping theirs (every series when `count` is 0 or at
 * least their number). The members and the ensemble's weights are then scored on the sample alone, which costs
 * the statistical members `count` refits per origin instead of one per series; the rest of the series take the
 * weights learned from the pool.
 */
export function sampledOrigins(origins: number[][], count: number, seed: number): number[][] {
  if (count === 0 || count >= origins.length) return origins;
  const rng = new Rng(seed);
  const kept = new Set(sampleIndices(origins.length, count, () => rng.uniform()));
  return origins.map((list, s) => (kept.has(s) ? list : []));
}

/** One member, fitted, with its forecasts at every origin (`cv[s][k]`) and from each series' end (`final[s]`). */
export interface MemberRun {
  name: MemberName;
  fitted: FittedMember;
  cv: Float64Array[][];
  final: Float64Array[];
  /** A quantile head's bands (by level name) at the same origins and ends, clipped as the forecasts are. */
  headBands?: { cv: Record<string, Band>[][]; final: Record<string, Band>[] };
  seconds: number;
}

/** Fits the member on the series and forecasts every cross-validation origin and each series' end, clipped. */
export async function runMember(
  name: MemberName,
  series: readonly Series[],
  context: FitContext,
  origins: readonly (readonly number[])[],
): Promise<MemberRun> {
  const started = performance.now();
  const fitted = MEMBERS[name].fit(series, context);
  const { horizon } = context;
  const clip = context.config.forecast.clip_negative;
  const requests = series.flatMap(({ values }, seriesIndex) =>
    origins[seriesIndex].map((origin) => ({ seriesIndex, history: values.subarray(0, origin) })),
  );
  const flat = (await fitted.beforeValidation(requests, horizon)).map((f) => clipForecast(f, clip));
  let next = 0;
  const cv = origins.map((list) => list.map(() => flat[next++]));
  const final = (
    await fitted.onAll(
      series.map(({ values }, seriesIndex) => ({ seriesIndex, history: values })),
      horizon,
    )
  ).map((f) => clipForecast(f, clip));
  const headBands =
    fitted.headBands && (await headBandsOf(fitted.headBands, series, requests, context, origins));
  return {
    name,
    fitted,
    cv,
    final,
    ...(headBands ? { headBands } : {}),
    seconds: (performance.now() - started) / 1000,
  };
}

async function headBandsOf(
  bands: NonNullable<FittedMember["headBands"]>,
  series: readonly Series[],
  requests: readonly ForecastRequest[],
  context: FitContext,
  origins: readonly (readonly number[])[],
): Promise<NonNullable<MemberRun["headBands"]>> {
  const { horizon } = context;
  const { levels } = context.config.model;
  const clip = (list: Record<string, Band>[]) =>
    context.config.forecast.clip_negative ? list.map(clippedBands) : list;
  const flat = clip(await bands.beforeValidation(requests, horizon, levels));
  let next = 0;
  const final = clip(
    await bands.onAll(
      series.map(({ values }, seriesIndex) => ({ seriesIndex, history: values })),
      horizon,
      levels,
    ),
  );
  return { cv: origins.map((list) => list.map(() => flat[next++])), final };
}

/** Bounds below 0 raised to 0, as clipped forecasts are: the order of bounds and point is kept. */
function clippedBands(bands: Record<string, Band>): Record<string, Band> {
  const raise = (values: number[]) => values.map((v) => Math.max(0, v));
  return Object.fromEntries(
    Object.entries(bands).map(([key, { lower, upper }]) => [
      key,
      { lower: raise(lower), upper: raise(upper) },
    ]),
  );
}

/** The actual values after each origin (`[s][k]`). */
export function cvActuals(
  series: readonly Series[],
  origins: readonly (readonly number[])[],
  horizon: number,
) {
  return series.map(({ values }, s) => origins[s].map((origin) => values.subarray(origin, origin + horizon)));
}

/** Scale of MASE for cross-validation: the seasonal naive's in-sample MAE before the series' first origin. */
export function cvScales(series: readonly Series[], origins: readonly (readonly number[])[], season: number) {
  return series.map(({ values }, s) =>
    seasonalNaiveScale(values.subarray(0, origins[s][0] ?? values.length), season),
  );
}

/** Per series, the metrics of forecasts pooled over all its origins (`forecasts[s][k]`). */
export function pooledErrors(
  actuals: readonly (readonly Float64Array[])[],
  forecasts: readonly (readonly ArrayLike<number>[])[],
  scales: readonly number[],
): (ErrorMetrics | null)[] {
  return actuals.map((list, s) => {
    if (list.length === 0) return null;
    const actual = list.flatMap((a) => [...a]);
    const forecast = forecasts[s].flatMap((f) => [...Array.from(f)]);
    return errorMetrics(actual, forecast, scales[s]);
  });
}

/**
 * Each series' member weights from the members' cross-validation errors (`runs` in member order): `pooled`
 * learns one set for all series from their errors scaled by `scales`, the others weigh each series by its
 * members' MAE there.
 */
export function weightsFromCv(
  method: EnsembleMethod,
  runs: readonly MemberRun[],
  actuals: readonly (readonly Float64Array[])[],
  scales: readonly number[],
): number[][] {
  if (method === "pooled") {
    const shared =
      pooledWeights(
        actuals.map((list, s) => ({
          actuals: list,
          forecasts: runs.map((run) => run.cv[s]),
          scale: scales[s],
        })),
        runs.length,
      ) ?? runs.map(() => Number.NaN);
    return actuals.map(() => shared);
  }
  const maeBySeries = actuals.map((list, s) =>
    runs.map((run) =>
      list.length === 0
        ? Number.NaN
        : mae(
            list.flatMap((a) => [...a]),
            run.cv[s].flatMap((f) => [...f]),
          ),
    ),
  );
  return ensembleWeights(method, maeBySeries);
}

/**
 * The ensemble's forecast at every origin, combined with weights learned from the origins `learnedFrom(list,
 * k)` names for each series (its origins `list`, the one forecast at index k, or -1 where the series has none
 * at this rank), pooled over the series as the final weights are. Origins are compared by their rank from the
 * end, which every series shares (one step, one last origin). Where no series has an origin to learn from, the
 * members are combined equally.
 */
function ensembleAtOrigins(
  method: EnsembleMethod,
  runs: readonly MemberRun[],
  actuals: readonly (readonly Float64Array[])[],
  origins: readonly (readonly number[])[],
  scales: readonly number[],
  learnedFrom: (list: readonly number[], k: number) => number[],
): Float64Array[][] {
  const equal = runs.map(() => 1 / runs.length);
  const out: Float64Array[][] = origins.map(() => []);
  const ranks = largest(
    origins.map((list) => list.length),
    0,
  );
  for (let rank = 0; rank < ranks; rank++) {
    const learned = origins.map((list) => learnedFrom(list, list.length - 1 - rank));
    const weights = learned.some((list) => list.length > 0)
      ? weightsFromCv(
          method,
          runs.map((run) => ({ ...run, cv: run.cv.map((list, s) => learned[s].map((j) => list[j])) })),
          actuals.map((list, s) => learned[s].map((j) => list[j])),
          scales,
        )
      : null;
    origins.forEach((list, s) => {
      const k = list.length - 1 - rank;
      if (k < 0) return;
      const w = weights?.[s].every(Number.isFinite) ? weights[s] : equal;
      out[s][k] = combine(
        runs.map((run) => run.cv[s][k]),
        w,
      );
    });
  }
  return out;
}

/**
 * The ensemble's own cross-validation forecasts, honest about time: at each origin the weights come only from
 * earlier origins whose targets were all observed by then (origin + horizon at or before it); an origin with
 * none before it combines the members equally.
 */
export function ensembleCvForecasts(
  method: EnsembleMethod,
  runs: readonly MemberRun[],
  actuals: readonly (readonly Float64Array[])[],
  origins: readonly (readonly number[])[],
  scales: readonly number[],
  horizon: number,
): Float64Array[][] {
  return ensembleAtOrigins(method, runs, actuals, origins, scales, (list, k) =>
    k < 0 ? [] : list.map((o, j) => (j < k && o + horizon <= list[k] ? j : -1)).filter((j) => j >= 0),
  );
}

/**
 * The ensemble's forecasts at each origin with weights from every other origin (cross-fitted): what its
 * conformal scores are measured on. Each origin's forecast is combined without its own errors, and with
 * weights learned from as many origins as the final weights bar one, so its errors stand for the final
 * ensemble's better than the time-honest forecasts do, whose first origin has no weights at all.
 */
export function ensembleCrossFitForecasts(
  method: EnsembleMethod,
  runs: readonly MemberRun[],
  actuals: readonly (readonly Float64Array[])[],
  origins: readonly (readonly number[])[],
  scales: readonly number[],
): Float64Array[][] {
  return ensembleAtOrigins(method, runs, actuals, origins, scales, (list, k) =>
    list.map((_, j) => j).filter((j) => j !== k),
  );
}
