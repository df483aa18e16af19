import type { AccuracyMetrics, ModelDetail } from "../api/types.ts";

/** One forecaster's line of a version's validation table. */
export interface ValidationRow {
  /** "ensemble", a member's name, "model" (a format 1 version's single network), "naive", "seasonal_naive" */
  key: string;
  title: string;
  kind: "ensemble" | "member" | "model" | "baseline";
  metrics: AccuracyMetrics;
  /** This member is in model.onnx and answers the window routes. */
  servesWindows?: boolean;
}

/**
 * A version's cross-validation rows: the ensemble, then each member in the ensemble's order, then the two
 * baselines on the same windows. A version saved before ensembles (no members) has its one model instead.
 */
export function validationRows(detail: ModelDetail): ValidationRow[] {
  const { metrics, artifact } = detail;
  const baselines: ValidationRow[] = [
    { key: "naive", title: "Naive (baseline)", kind: "baseline", metrics: metrics.naive },
    {
      key: "seasonal_naive",
      title: "Seasonal naive (baseline)",
      kind: "baseline",
      metrics: metrics.seasonal_naive,
    },
  ];
  const members = artifact?.members;
  if (members === undefined) {
    return [{ key: "model", title: "Model", kind: "model", metrics: metrics.model }, ...baselines];
  }
  const order = artifact?.ensemble?.members ?? Object.keys(members);
  return [
    { key: "ensemble", title: "Ensemble", kind: "ensemble", metrics: metrics.model },
    ...order
      .filter((name) => members[name] !== undefined)
      .map((name) => ({
        key: name,
        title: name,
        kind: "member" as const,
        metrics: members[name].cv,
        servesWindows: name === artifact?.window_member,
      })),
    ...baselines,
  ];
}
