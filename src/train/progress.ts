import { SingleBar } from "cli-progress";
import type { EpochReport } from "./loop.ts";

export interface EpochProgress {
  onEpoch(report: EpochReport): void;
  stop(): void;
}

const format = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : "n/a");

/**
 * A progress bar over the epochs of one model on a terminal (stderr, so stdout stays clean for reports),
 * and a plain line per epoch elsewhere.
 */
export function epochProgress(label: string, maxEpochs: number, stream = process.stderr): EpochProgress {
  if (!stream.isTTY) {
    return {
      onEpoch: (r) =>
        stream.write(
          `${label} epoch ${r.epoch}/${maxEpochs} train_loss ${format(r.trainLoss)} val_loss ${format(r.validationLoss)}\n`,
        ),
      stop: () => {},
    };
  }
  const bar = new SingleBar({
    stream,
    format: `${label} [{bar}] {value}/{total} epochs | train {train} | val {val}`,
    hideCursor: true,
  });
  bar.start(maxEpochs, 0, { train: "-", val: "-" });
  return {
    onEpoch: (r) => bar.update(r.epoch, { train: format(r.trainLoss), val: format(r.validationLoss) }),
    stop: () => bar.stop(),
  };
}

/** Progress that prints nothing, for tests and for commands whose output is machine-read. */
export const silentProgress = (): EpochProgress => ({ onEpoch: () => {}, stop: () => {} });
