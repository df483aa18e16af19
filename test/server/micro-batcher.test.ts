import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  ForecastInputError,
  type ForecastRequest,
  type ForecastResult,
  type SalesForecaster,
} from "../../src/forecast/index.ts";
import { type BatchForecaster, MicroBatcher } from "../../src/server/index.ts";
import { loadForecaster, salesWindow, type TrainedModels, trainTestModels } from "./trained-models.ts";

let trained: TrainedModels;
let forecaster: SalesForecaster;

beforeAll(async () => {
  trained = await trainTestModels();
  forecaster = await loadForecaster(trained.global);
});

afterAll(async () => {
  await forecaster.close();
  trained.remove();
});

const SERIES = ["Beauty", "Clothing", "Electronics", undefined];
const requestFor = (i: number): ForecastRequest => ({
  values: salesWindow(i),
  seriesId: SERIES[i % SERIES.length],
});

async function alone(request: ForecastRequest): Promise<ForecastResult> {
  const [result] = await forecaster.predictMany([request]);
  return result;
}

describe("MicroBatcher", () => {
  it("gathers the predictions asked in one turn of the event loop into one model call", async () => {
    const spy = vi.spyOn(forecaster, "predictMany");
    try {
      const batcher = new MicroBatcher(forecaster, 64);
      const requests = Array.from({ length: 20 }, (_, i) => requestFor(i));
      const results = await Promise.all(requests.map((request) => batcher.predict(request)));
      expect(spy.mock.calls.map(([batch]) => batch.length)).toEqual([20]);
      spy.mockRestore();
      for (const [i, request] of requests.entries()) expect(results[i]).toEqual(await alone(request));
      expect(new Set(results.map((r) => r.predicted_sales)).size).toBe(20);
    } finally {
      spy.mockRestore();
    }
  });

  it("runs a batch as soon as micro_batch_max predictions wait", async () => {
    const spy = vi.spyOn(forecaster, "predictMany");
    try {
      const batcher = new MicroBatcher(forecaster, 4);
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => batcher.predict(requestFor(i))));
      expect(spy.mock.calls.map(([batch]) => batch.length)).toEqual([4, 4, 2]);
      expect(results).toHaveLength(10);
    } finally {
      spy.mockRestore();
    }
  });

  it("starts a new batch for predictions asked after the last one ran", async () => {
    const spy = vi.spyOn(forecaster, "predictMany");
    try {
      const batcher = new MicroBatcher(forecaster, 64);
      await Promise.all([batcher.predict(requestFor(1)), batcher.predict(requestFor(2))]);
      await batcher.predict(requestFor(3));
      expect(spy.mock.calls.map(([batch]) => batch.length)).toEqual([2, 1]);
    } finally {
      spy.mockRestore();
    }
  });

  it("refuses a bad request on its own, before it joins the batch of the others", async () => {
    const spy = vi.spyOn(forecaster, "predictMany");
    try {
      const batcher = new MicroBatcher(forecaster, 64);
      const good = [requestFor(1), requestFor(2)];
      const pending = good.map((request) => batcher.predict(request));
      expect(() => batcher.predict({ values: [1, 2, 3] })).toThrow(
        new ForecastInputError("series must contain exactly 14 values, got 3", "length"),
      );
      expect(() => batcher.predict({ values: salesWindow(4), seriesId: "Toys" })).toThrow(ForecastInputError);
      const results = await Promise.all(pending);
      expect(spy.mock.calls.map(([batch]) => batch.length)).toEqual([2]);
      expect(results[1]).toEqual(await alone(good[1]));
    } finally {
      spy.mockRestore();
    }
  });

  it("rejects every request of a batch whose model call fails", async () => {
    const failure = new Error("onnxruntime failed");
    const failing: BatchForecaster = { validate: () => {}, predictMany: () => Promise.reject(failure) };
    const batcher = new MicroBatcher(failing, 64);
    const outcomes = await Promise.allSettled([
      batcher.predict(requestFor(1)),
      batcher.predict(requestFor(2)),
    ]);
    expect(outcomes).toEqual([
      { status: "rejected", reason: failure },
      { status: "rejected", reason: failure },
    ]);
  });
});
