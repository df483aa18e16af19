import type { RegistryConfig } from "../config/index.ts";

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
  candidateMase: number | null,
  production: { version: number; mase: number | null } | undefined,
): PromotionDecision {
  if (policy === "always") return { promote: true, reason: "promotion policy is always" };
  if (policy === "manual") return { promote: false, reason: "promotion policy is manual" };
  if (production === undefined) return { promote: true, reason: "no version was in production" };
  const comparison = `validation MASE ${show(candidateMase)} vs production v${production.version}'s ${show(production.mase)}`;
  const better = candidateMase !== null && (production.mase === null || candidateMase < production.mase);
  return { promote: better, reason: better ? `${comparison}: better` : `${comparison}: not better` };
}
