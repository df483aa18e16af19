import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import {
  ARTIFACT_FORMAT_VERSION,
  type Artifact,
  type MeasuredOn,
  saveArtifact,
} from "../../src/artifact/index.ts";
import type { PromotionPolicy } from "../../src/registry/index.ts";
import { Registry } from "../../src/registry/index.ts";

const dirs: string[] = [];
const openRegistries: Registry[] = [];

afterEach(async () => {
  for (const registry of openRegistries.splice(0)) await registry.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temp folder, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "salescast-registry-"));
  dirs.push(dir);
  return dir;
}

/** A registry on a new file in a temp folder, closed after the test. */
export async function openTempRegistry(
  promotion: PromotionPolicy = "if_better",
  dir = tempDir(),
): Promise<Registry> {
  const registry = await Registry.open({ path: join(dir, "registry", "salescast.db"), promotion });
  openRegistries.push(registry);
  return registry;
}

/** Tracks a registry opened by the test itself so it is closed afterwards. */
export async function closeAfterTest(opening: Registry | Promise<Registry>): Promise<Registry> {
  const registry = await opening;
  openRegistries.push(registry);
  return registry;
}

/** A valid artifact with a few bytes for ONNX: enough for the registry, which never runs the model. */
export function fakeArtifact(
  root: string,
  name: string,
  mase: number | null,
  measuredOn?: MeasuredOn,
): Artifact {
  const metrics = { mae: 1, rmse: 2, smape: 3, mase };
  return saveArtifact(root, {
    onnx: new Uint8Array([8, 1, 2, 3]),
    normalization: { default: { mean: 10, std: 2 }, series: { Beauty: { mean: 10, std: 2 } } },
    forecasts: {
      horizon: 1,
      series: {
        Beauty: { dates: ["2024-01-15"], values: [12], members: { linear: [12] }, weights: { linear: 1 } },
      },
    },
    meta: {
      format_version: ARTIFACT_FORMAT_VERSION,
      name,
      scope: name === "global" ? "global" : "per_series",
      series: ["Beauty"],
      frequency: "D",
      window_size: 14,
      horizon: 1,
      season: 7,
      spec: { architecture: "cnn_lstm" },
      config: { train: { max_epochs: 1 } },
      validation: {
        model: metrics,
        naive: metrics,
        seasonal_naive: metrics,
        ...(measuredOn === undefined ? {} : { measured_on: measuredOn }),
      },
      training: { epochs: 1, best_epoch: 1, seconds: 0.1, train_windows: 10, validation_windows: 2 },
    },
  });
}

/** The error a promise rejects with, for checking its class, kind and message together. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection, the promise resolved");
}

/** The error `action` throws, for checking its class, kind and message together. */
export function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error, none was thrown");
}
