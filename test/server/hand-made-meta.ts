import { ARTIFACT_FORMAT_VERSION, type NewArtifact } from "../../src/artifact/index.ts";

/** meta.json of a hand-made global daily model over `series`: what the server reads, the rest placeholders. */
export function handMadeMeta(
  spec: { architecture: string },
  series: string[],
  horizon: number,
): NewArtifact["meta"] {
  const metrics = { mae: 1, rmse: 1, mase: 1 };
  return {
    format_version: ARTIFACT_FORMAT_VERSION,
    name: "global",
    scope: "global",
    series,
    frequency: "D",
    window_size: 14,
    horizon,
    season: 7,
    spec,
    config: {},
    validation: { model: metrics, naive: metrics, seasonal_naive: metrics },
    training: { epochs: 0, best_epoch: 0, seconds: 0, train_windows: 1, validation_windows: 0 },
  };
}
