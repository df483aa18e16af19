import { describe, expect, it } from "vitest";
import type { ModelDetail } from "../../web/src/api/types.ts";
import { validationRows } from "../../web/src/lib/validation-rows.ts";

const metrics = (mae: number) => ({ mae, rmse: mae * 2, smape: 10, mase: mae / 100 });

function detail(artifact: Partial<NonNullable<ModelDetail["artifact"]>> | null): ModelDetail {
  return {
    id: 3,
    name: "global",
    version: 2,
    stage: "production",
    created_at: "2025-01-01T00:00:00.000Z",
    promoted_at: null,
    previous_production_id: null,
    architecture: "cnn_lstm",
    metrics: { model: metrics(50), naive: metrics(90), seasonal_naive: metrics(70) },
    serving: true,
    onnx_sha256: "0".repeat(64),
    training_config: {},
    artifact:
      artifact === null
        ? null
        : {
            scope: "global",
            series: ["A"],
            frequency: "D",
            window_size: 14,
            horizon: 7,
            season: 7,
            training: { epochs: 1, best_epoch: 1, seconds: 1, train_windows: 1, validation_windows: 1 },
            ...artifact,
          },
  };
}

describe("validationRows (the Accuracy page's table)", () => {
  it("puts the ensemble first, then the members in the ensemble's order, then the baselines", () => {
    const rows = validationRows(
      detail({
        window_member: "linear",
        ensemble: { method: "weighted", members: ["mstl", "linear"] },
        members: { linear: { cv: metrics(60), seconds: 1 }, mstl: { cv: metrics(55), seconds: 2 } },
      }),
    );
    expect(rows.map((row) => [row.key, row.kind, row.metrics.mae, row.servesWindows ?? false])).toEqual([
      ["ensemble", "ensemble", 50, false],
      ["mstl", "member", 55, false],
      ["linear", "member", 60, true],
      ["naive", "baseline", 90, false],
      ["seasonal_naive", "baseline", 70, false],
    ]);
  });

  it("gives a version saved before ensembles, or one whose files cannot be read, its one model", () => {
    for (const record of [detail({}), detail(null)]) {
      expect(validationRows(record).map((row) => [row.key, row.metrics.mae])).toEqual([
        ["model", 50],
        ["naive", 90],
        ["seasonal_naive", 70],
      ]);
    }
  });
});
