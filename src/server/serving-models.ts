import type { ModelInfo, SalesForecaster } from "../forecast/index.ts";
import { MicroBatcher } from "./micro-batcher.ts";

/** The model every single forecast without a series id goes to, when it serves. */
export const GLOBAL_MODEL = "global";

/** The name of the model trained for one series alone. */
export const seriesModelName = (seriesId: string): string => `series:${seriesId}`;

/** What answers name about the model that made them: the forecaster's info and, from a registry, its id. */
export interface ServingModelInfo extends ModelInfo {
  /** The registry's id of this version, when the model came from the registry. */
  id?: number;
}

/** A model that serves: its forecaster and the micro-batcher in front of it. */
export interface ServingModel {
  readonly name: string;
  readonly info: ServingModelInfo;
  readonly forecaster: SalesForecaster;
  readonly batcher: MicroBatcher;
}

/** A model held for one request; release it when the request is done, so a replaced model can close. */
export interface Lease {
  readonly model: ServingModel;
  release(): void;
}

/** No model can answer a forecast that names no series; the message says why and what to do. */
export class ModelUnavailableError extends Error {
  override name = "ModelUnavailableError";
}

export const NO_MODEL_MESSAGE =
  "no model is loaded: train one with `npx salescast train` and restart the server, " +
  "start a training run with POST /api/train, or start the server with `npx salescast serve --train-if-missing`";

/**
 * Hears what the serving models do, for metrics. Each callback runs on the request path: keep it cheap, and
 * never throw from it.
 */
export interface ServingObserver {
  /** A micro-batch of `size` single forecasts ran on `model`. */
  onBatch(model: ServingModel, size: number): void;
  /** `count` forecasts were made by `model` outside the micro-batcher (a batch request). */
  onPredictions(model: ServingModel, count: number): void;
  /** The set of serving models changed (a model was replaced or added, or all closed). */
  onChange(models: readonly ServingModel[]): void;
}

/** Counts the requests using one model; once replaced, it closes when the last of them is done. */
class Slot {
  private inFlight = 0;
  private retired = false;
  private drained: (() => void) | undefined;

  constructor(readonly model: ServingModel) {}

  acquire(): Lease {
    this.inFlight++;
    return new SlotLease(this);
  }

  release(): void {
    this.inFlight--;
    if (this.retired && this.inFlight === 0) this.drained?.();
  }

  /** Stops the model once no request uses it any more. */
  async retire(): Promise<void> {
    this.retired = true;
    if (this.inFlight > 0) {
      await new Promise<void>((resolve) => {
        this.drained = resolve;
      });
    }
    await this.model.forecaster.close();
  }
}

/** A class rather than a closure per request: leases are taken on the hot path. */
class SlotLease implements Lease {
  private released = false;

  constructor(private readonly slot: Slot) {}

  get model(): ServingModel {
    return this.slot.model;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.slot.release();
  }
}

/**
 * The models that serve, keyed by model name ("global", "series:<id>"). Lookups only read this map: a series
 * id picks a known key and never reaches the file system.
 */
export class ServingModels {
  private readonly slots = new Map<string, Slot>();
  private closed = false;
  private observer: ServingObserver | undefined;

  constructor(private readonly options: { microBatchMax: number }) {}

  get size(): number {
    return this.slots.size;
  }

  list(): ServingModel[] {
    return [...this.slots.values()].map((slot) => slot.model);
  }

  /** The model serving under this name ("global", "series:<id>"), if any. */
  get(name: string): ServingModel | undefined {
    return this.slots.get(name)?.model;
  }

  /** Sends what the models do to `observer` (one at a time), starting with the models serving now. */
  observe(observer: ServingObserver): void {
    this.observer = observer;
    observer.onChange(this.list());
  }

  /** Tells the observer that `model` made `count` forecasts outside the micro-batcher. */
  countPredictions(model: ServingModel, count: number): void {
    this.observer?.onPredictions(model, count);
  }

  /**
   * Serves `forecaster` under its model name from now on. Requests already holding the model it replaces
   * finish on that one; the returned promise resolves once they have and the old model is closed.
   * `registryId` is the registry's id of this version, named in answers beside the version.
   */
  async replace(forecaster: SalesForecaster, registryId?: number): Promise<void> {
    if (this.closed) {
      await forecaster.close();
      throw new Error("the serving models are closed");
    }
    const name = forecaster.info.name;
    const info: ServingModelInfo =
      registryId === undefined ? forecaster.info : { ...forecaster.info, id: registryId };
    const model: ServingModel = {
      name,
      info,
      forecaster,
      batcher: new MicroBatcher(forecaster, this.options.microBatchMax, (size) =>
        this.observer?.onBatch(model, size),
      ),
    };
    const previous = this.slots.get(name);
    this.slots.set(name, new Slot(model));
    this.observer?.onChange(this.list());
    await previous?.retire();
  }

  /**
   * The model for a forecast of one series: the model trained for it alone, else the global model when it
   * has that series' stats; undefined when none serves it. Throws ModelUnavailableError when no model serves.
   */
  acquireForSeries(seriesId: string): Lease | undefined {
    if (this.slots.size === 0) throw new ModelUnavailableError(NO_MODEL_MESSAGE);
    const own = this.slots.get(seriesModelName(seriesId));
    if (own) return own.acquire();
    const global = this.slots.get(GLOBAL_MODEL);
    if (global?.model.forecaster.hasSeries(seriesId)) return global.acquire();
    return undefined;
  }

  /**
   * The model for a forecast that names no series: the global one, or the only model when exactly one
   * serves. Throws ModelUnavailableError otherwise.
   */
  acquireDefault(): Lease {
    const global = this.slots.get(GLOBAL_MODEL);
    if (global) return global.acquire();
    if (this.slots.size === 1) return [...this.slots.values()][0].acquire();
    if (this.slots.size === 0) throw new ModelUnavailableError(NO_MODEL_MESSAGE);
    throw new ModelUnavailableError(
      `no global model is serving, and ${this.slots.size} per-series models are: ` +
        "name the series with POST /api/predict/{series_id}",
    );
  }

  /** Stops serving: every model closes once the requests using it are done. */
  async close(): Promise<void> {
    this.closed = true;
    const slots = [...this.slots.values()];
    this.slots.clear();
    this.observer?.onChange([]);
    await Promise.all(slots.map((slot) => slot.retire()));
  }
}
