import type { RegistryConfig } from "../config/index.ts";
import type { MeasuredOn } from "./records.ts";

export type PromotionPolicy = RegistryConfig["promotion"];

export interface PromotionDecision {
  promote: boolean;
  /** One line for people: why the new version serves or stays a candidate. */
  reason: string;
}

const show = (mase: number | null) => (mase === null ? "none" : mase.toFixed(4));

/**
 * Whether a newly registered version replaces the current production one.
 * `if_better` promotes when there is no production version, or when the new validation MASE is strictly
 * lower. A tie keeps the serving version (a swap with no measured gain is not worth it); a missing MASE
 * (null: not computable, e.g. a constant series) never beats a number, and a number beats a missing one.
 */
export function decidePromotion(
  policy: PromotionPolicy,
  candidate: { mase: number | null; measuredOn?: MeasuredOn },
  production: { version: number; mase: number | null; measuredOn?: MeasuredOn } | undefined,
): PromotionDecision {
  if (policy === "always") return { promote: true, reason: "promotion policy is always" };
  if (policy === "manual") return { promote: false, reason: "promotion policy is manual" };
  if (production === undefined) return { promote: true, reason: "no version was in production" };
  // A measured version always beats an unmeasured one (imported, say); two measured ones compare like for like.
  const unlike =
    candidate.mase === null || production.mase === null
      ? null
      : incomparable(candidate.measuredOn, production.measuredOn);
  if (unlike !== null) {
    return { promote: false, reason: `not compared with production v${production.version}: ${unlike}` };
  }
  const candidateMase = candidate.mase;
  const comparison = `validation MASE ${show(candidateMase)} vs production v${production.version}'s ${show(production.mase)}`;
  const better = candidateMase !== null && (production.mase === null || candidateMase < production.mase);
  return { promote: better, reason: better ? `${comparison}: better` : `${comparison}: not better` };
}

/** Why two versions' validation metrics do not compare (other series, horizon or origins), or null. */
function incomparable(candidate: MeasuredOn | undefined, production: MeasuredOn | undefined): string | null {
  if (candidate === undefined && production === undefined) return null;
  if (candidate === undefined || production === undefined) {
    return "only one of the two records what its validation metrics were measured on";
  }
  if (candidate.horizon !== production.horizon) {
    return `validated over a horizon of ${candidate.horizon}, production over ${production.horizon}`;
  }
  if (candidate.series_sha256 !== production.series_sha256) {
    return `validated on other series (${candidate.series_count} against production's ${production.series_count})`;
  }
  if (candidate.origins !== production.origins) {
    return `validated at ${candidate.origins} origins per series, production at ${production.origins}`;
  }
  return null;
}
