import { describe, expect, it } from "vitest";
import type { RunProgress } from "../../src/registry/index.ts";
import { runProgress } from "../../src/train/register.ts";

describe("runProgress", () => {
  it("reports each epoch and each work unit, the last epoch seen beside the units done so far", () => {
    const reports: RunProgress[] = [];
    const { progress, onUnits } = runProgress((p) => reports.push(p));
    onUnits(0, 3);
    const bar = progress("series:a network", 5);
    bar.onEpoch({ epoch: 1, trainLoss: 0.5, validationLoss: Number.NaN, improved: true });
    onUnits(1, 3);
    expect(reports).toEqual([
      {
        model: "work units",
        epoch: 0,
        max_epochs: 0,
        train_loss: null,
        val_loss: null,
        units: { done: 0, total: 3 },
      },
      {
        model: "series:a network",
        epoch: 1,
        max_epochs: 5,
        train_loss: 0.5,
        val_loss: null,
        units: { done: 0, total: 3 },
      },
      {
        model: "series:a network",
        epoch: 1,
        max_epochs: 5,
        train_loss: 0.5,
        val_loss: null,
        units: { done: 1, total: 3 },
      },
    ]);
  });

  it("reports epochs alone for a run without units (a global model)", () => {
    const reports: RunProgress[] = [];
    runProgress((p) => reports.push(p))
      .progress("global network", 2)
      .onEpoch({ epoch: 2, trainLoss: 0.25, validationLoss: 0.3, improved: false });
    expect(reports).toEqual([
      { model: "global network", epoch: 2, max_epochs: 2, train_loss: 0.25, val_loss: 0.3 },
    ]);
  });
});
