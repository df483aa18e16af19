import type { Config } from "../config/index.ts";

/** How members combine; `auto` (config only) picks one of the others by cross-validation. */
export type EnsembleMethod = Exclude<Config["model"]["ensemble"], "auto">;
export const ENSEMBLE_METHODS: readonly EnsembleMethod[] = ["weighted", "mean", "select", "pooled"];

/**
 * Members whose blended relative error is within this factor of the best one's share the weight; the rest get
 * none, so one poor member cannot drag a combination of good ones.
 */
export const WEIGHTED_KEEP_WITHIN = 1.25;

/**
 * Each series' weights over the members, from their cross-validation MAE on that series (`maeBySeries[s][m]`,
 * NaN where a member has no error there). Errors are made relative to the series' best member (so series of
 * any scale compare), then blended half and half with the member's mean relative error over all series, so a
 * series with few origins borrows strength from the pool:
 * - `select`: all weight on the lowest blended error;
 * - `weighted`: inverse squared blended error, over the members within WEIGHTED_KEEP_WITHIN of the best;
 * - `mean`: equal weights.
 * (`pooled` shares one set of weights over all series: see pooled-weights.ts.)
 */
export function ensembleWeights(
  method: Exclude<EnsembleMethod, "pooled">,
  maeBySeries: readonly (readonly number[])[],
): number[][] {
  const members = maeBySeries[0]?.length ?? 0;
  const relative = maeBySeries.map(relativeToBest);
  const pooled = Array.from({ length: members }, (_, m) => meanFinite(relative.map((r) => r[m])));
  return relative.map((r) => {
    const blended = r.map((v, m) => blend(v, pooled[m]));
    if (method === "mean" || blended.every((v) => !Number.isFinite(v)))
      return new Array(members).fill(1 / members);
    if (method === "select") return oneHot(members, argmin(blended));
    return inverseSquaredWithin(blended, WEIGHTED_KEEP_WITHIN);
  });
}

function relativeToBest(errors: readonly number[]): number[] {
  const best = Math.min(...errors.filter(Number.isFinite));
  if (!Number.isFinite(best)) return errors.map(() => Number.NaN);
  // A perfect member (error 0) gets 1 and every imperfect one is infinitely worse.
  return errors.map((e) =>
    !Number.isFinite(e) ? Number.NaN : best === 0 ? (e === 0 ? 1 : Infinity) : e / best,
  );
}

function blend(own: number, pooled: number): number {
  if (!Number.isFinite(pooled)) return own;
  if (Number.isNaN(own)) return pooled;
  return (own + pooled) / 2;
}

function meanFinite(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite);
  return finite.length === 0 ? Number.NaN : finite.reduce((a, b) => a + b, 0) / finite.length;
}

/** Index of the smallest finite value (the first on ties). */
function argmin(values: readonly number[]): number {
  let best = -1;
  values.forEach((v, i) => {
    if (Number.isFinite(v) && (best < 0 || v < values[best])) best = i;
  });
  return best;
}

export function oneHot(length: number, index: number): number[] {
  const out = new Array(length).fill(0);
  out[index] = 1;
  return out;
}

function inverseSquaredWithin(errors: readonly number[], within: number): number[] {
  const best = Math.min(...errors.filter(Number.isFinite));
  const raw = errors.map((e) => (Number.isFinite(e) && e <= best * within ? 1 / (e * e) : 0));
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => w / total);
}

/** The weighted sum of the members' forecasts (`forecasts[m]`, one per member) with one series' weights. */
export function combine(forecasts: readonly ArrayLike<number>[], weights: readonly number[]): Float64Array {
  const out = new Float64Array(forecasts[0].length);
  forecasts.forEach((f, m) => {
    if (weights[m] === 0) return;
    for (let i = 0; i < out.length; i++) out[i] += weights[m] * f[i];
  });
  return out;
}
