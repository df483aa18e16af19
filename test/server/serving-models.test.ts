import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ModelUnavailableError, ServingModels } from "../../src/server/index.ts";
import {
  loadForecaster,
  salesWindow,
  serveFolders,
  type TrainedModels,
  trainTestModels,
} from "./trained-models.ts";

let trained: TrainedModels;

beforeAll(async () => {
  trained = await trainTestModels();
});

afterAll(() => trained.remove());

describe("ServingModels resolution", () => {
  it("gives a series its own model first, then the global model with its stats, else nothing", async () => {
    const models = await serveFolders([trained.global, trained.beauty]);
    try {
      const own = models.acquireForSeries("Beauty");
      expect(own?.model.name).toBe("series:Beauty");
      own?.release();
      const global = models.acquireForSeries("Electronics");
      expect(global?.model.name).toBe("global");
      global?.release();
      for (const id of ["Toys", "__proto__", "constructor", "series:Beauty", "global", ""]) {
        expect(models.acquireForSeries(id)).toBeUndefined();
      }
    } finally {
      await models.close();
    }
  });

  it("answers a forecast without a series with the global model, else the only one", async () => {
    const both = await serveFolders([trained.beauty, trained.global]);
    const only = await serveFolders([trained.clothing]);
    try {
      const global = both.acquireDefault();
      expect(global.model.name).toBe("global");
      global.release();
      const single = only.acquireDefault();
      expect(single.model.name).toBe("series:Clothing");
      single.release();
    } finally {
      await both.close();
      await only.close();
    }
  });

  it("explains why no model can answer", async () => {
    const none = new ServingModels({ microBatchMax: 8 });
    expect(() => none.acquireDefault()).toThrow(ModelUnavailableError);
    expect(() => none.acquireDefault()).toThrow(/npx salescast train/);
    expect(() => none.acquireForSeries("Beauty")).toThrow(/npx salescast train/);
    const two = await serveFolders([trained.beauty, trained.clothing]);
    try {
      expect(() => two.acquireDefault()).toThrow(/POST \/api\/predict\/\{series_id\}/);
    } finally {
      await two.close();
    }
  });
});

describe("ServingModels hot swap", () => {
  it("sends new requests to the new model, lets in-flight ones finish on the old, then closes it", async () => {
    const models = new ServingModels({ microBatchMax: 8 });
    const oldModel = await loadForecaster(trained.global, "v1");
    const newModel = await loadForecaster(trained.global, "v2");
    const closeOld = vi.spyOn(oldModel, "close");
    const closeNew = vi.spyOn(newModel, "close");
    await models.replace(oldModel);

    const inFlight = models.acquireDefault();
    const oldAnswer = inFlight.model.batcher.predict({ values: salesWindow(1) });
    let replaced = false;
    const replacing = models.replace(newModel).then(() => {
      replaced = true;
    });

    const next = models.acquireDefault();
    expect(next.model.info.version).toBe("v2");
    expect(inFlight.model.info.version).toBe("v1");
    expect((await oldAnswer).forecast).toHaveLength(14);
    expect(closeOld).not.toHaveBeenCalled();
    expect(replaced).toBe(false);

    inFlight.release();
    await replacing;
    expect(closeOld).toHaveBeenCalledTimes(1);
    expect(closeNew).not.toHaveBeenCalled();
    expect(models.list().map((model) => model.info.version)).toEqual(["v2"]);
    expect((await next.model.batcher.predict({ values: salesWindow(2) })).forecast).toHaveLength(14);

    next.release();
    await models.close();
    expect(closeNew).toHaveBeenCalledTimes(1);
  });

  it("closes a replaced model at once when no request holds it", async () => {
    const models = new ServingModels({ microBatchMax: 8 });
    const oldModel = await loadForecaster(trained.beauty, "v1");
    const closeOld = vi.spyOn(oldModel, "close");
    await models.replace(oldModel);
    const lease = models.acquireForSeries("Beauty");
    lease?.release();
    lease?.release(); // a second release must not count twice
    await models.replace(await loadForecaster(trained.beauty, "v2"));
    expect(closeOld).toHaveBeenCalledTimes(1);
    await models.close();
  });

  it("waits on close for the requests still holding a model", async () => {
    const models = await serveFolders([trained.global]);
    const [model] = models.list();
    const close = vi.spyOn(model.forecaster, "close");
    const lease = models.acquireDefault();
    let closed = false;
    const closing = models.close().then(() => {
      closed = true;
    });
    expect(models.size).toBe(0);
    await lease.model.batcher.predict({ values: salesWindow(3) });
    expect(closed).toBe(false);
    expect(close).not.toHaveBeenCalled();
    lease.release();
    await closing;
    expect(close).toHaveBeenCalledTimes(1);
  });

  it("refuses and closes a model offered after close", async () => {
    const models = new ServingModels({ microBatchMax: 8 });
    await models.close();
    const late = await loadForecaster(trained.global);
    const close = vi.spyOn(late, "close");
    await expect(models.replace(late)).rejects.toThrow(/closed/);
    expect(close).toHaveBeenCalledTimes(1);
  });
});
