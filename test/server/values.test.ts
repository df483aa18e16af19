import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readArtifact, saveArtifact } from "../../src/artifact/index.ts";
import { exportOnnx, importOnnx } from "../../src/model/index.ts";
import { buildApp, createMetrics } from "../../src/server/index.ts";
import { samples } from "./registry-server.ts";
import { salesWindow, serveFolders, type TrainedModels, trainTestModels } from "./trained-models.ts";

let trained: TrainedModels;
let scratch: string;
beforeAll(async () => {
  trained = await trainTestModels();
  scratch = mkdtempSync(join(tmpdir(), "salescast-values-"));
});
afterAll(async () => {
  trained.remove();
  rmSync(scratch, { recursive: true, force: true });
});

/**
 * The trained global model with its output layer's bias set to +Infinity: a model that loads and runs, and
 * answers every window with a non-finite value, as a model with overflowed weights would.
 */
function overflowingModel(): string {
  const { onnx, normalization, meta } = readArtifact(trained.global);
  const { spec, params } = importOnnx(onnx);
  (params.get("fc.bias") as Float32Array).fill(Number.POSITIVE_INFINITY);
  const { onnx_sha256: _sum, created_at: _at, forecasts_sha256: _stored, ...rest } = meta;
  return saveArtifact(scratch, { onnx: exportOnnx(spec, params), normalization, forecasts: null, meta: rest })
    .folder;
}

describe("inputs too large for float32", () => {
  it("a finite value whose scaled form overflows float32 is a 422 naming its index", async () => {
    const models = await serveFolders([trained.global]);
    const app = await buildApp({ config: trained.config, models });
    try {
      const series = salesWindow(2);
      series[3] = 1e300;
      const single = await app.inject({ method: "POST", url: "/api/predict", payload: { series } });
      expect(single.statusCode).toBe(422);
      expect(single.json()).toMatchObject({ error: "invalid_series" });
      expect(single.json().message).toMatch(
        /^series\[3\] is 1e\+300, too large for the model's float32 arithmetic: values of this series must stay within ±/,
      );
      const batch = await app.inject({
        method: "POST",
        url: "/api/predict/batch",
        payload: { items: [{ series: salesWindow(1) }, { series }] },
      });
      expect(batch.statusCode).toBe(422);
      expect(batch.json().message).toMatch(/^items\[1\]\.series\[3\] is 1e\+300, too large/);
      // large but sane sales still forecast
      const big = salesWindow(2).map((v) => v * 1e6);
      const fine = await app.inject({ method: "POST", url: "/api/predict", payload: { series: big } });
      expect(fine.statusCode).toBe(200);
      expect(Number.isFinite(fine.json().predicted_sales)).toBe(true);
    } finally {
      await app.close();
    }
  });
});

describe("answers that are not finite", () => {
  it("are a 500 saying so, logged and counted, never a null forecast", async () => {
    const folder = overflowingModel();
    const models = await serveFolders([folder]);
    const metrics = createMetrics();
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const config = { ...trained.config, forecast: { clip_negative: false } };
    const app = await buildApp({ config, models, metrics, logger: { level: "error", stream } });
    try {
      const single = await app.inject({
        method: "POST",
        url: "/api/predict",
        payload: { series: salesWindow(1) },
      });
      expect(single.statusCode).toBe(500);
      expect(single.json()).toEqual({
        error: "non_finite_forecast",
        message: expect.stringMatching(/^model global .* produced a non-finite forecast for a valid input/),
      });
      const batch = await app.inject({
        method: "POST",
        url: "/api/predict/batch",
        payload: { items: [{ series: salesWindow(1) }, { series: salesWindow(2) }] },
      });
      expect(batch.statusCode).toBe(500);
      expect(batch.json().error).toBe("non_finite_forecast");
      expect(batch.body).not.toContain("null");
      const counted = samples(await metrics.registry.metrics(), "salescast_non_finite_forecasts_total");
      expect(counted.get('{model="global"}')).toBe(2);
      expect(
        lines.filter((line) => line.includes("produced a non-finite forecast")).length,
      ).toBeGreaterThanOrEqual(2);
    } finally {
      await app.close();
    }
  });
});
