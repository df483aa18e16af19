import type { ForecastRequest, ForecastResult, SalesForecaster } from "../forecast/index.ts";

/** The part of a forecaster the batcher needs. */
export type BatchForecaster = Pick<SalesForecaster, "validate" | "predictMany">;

interface Pending {
  request: ForecastRequest;
  resolve: (result: ForecastResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Gathers concurrent single forecasts for one forecaster into one `predictMany` call: requests queue until
 * the event loop's check phase (`setImmediate`, after the I/O that delivered them) or until `maxBatch` are
 * waiting, then run as one batch. One onnxruntime call per batch costs about as much as one per request.
 */
export class MicroBatcher {
  private queue: Pending[] = [];
  private flushScheduled = false;

  /**
   * `onBatch` hears the size of each batch that ran to completion (for metrics); it runs on the hot path, so
   * it must be cheap and must not throw.
   */
  constructor(
    private readonly forecaster: BatchForecaster,
    private readonly maxBatch: number,
    private readonly onBatch?: (size: number) => void,
  ) {}

  /**
   * Forecasts one window. The request is validated here, before it joins a batch, so a bad request throws
   * its own ForecastInputError and never fails the requests batched with it.
   */
  predict(request: ForecastRequest, field = "series"): Promise<ForecastResult> {
    this.forecaster.validate(request, field);
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      if (this.queue.length >= this.maxBatch) {
        this.flush();
      } else if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(this.onImmediate);
      }
    });
  }

  private readonly onImmediate = (): void => {
    this.flushScheduled = false;
    this.flush();
  };

  private flush(): void {
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    this.forecaster.predictMany(batch.map((pending) => pending.request)).then(
      (results) => {
        this.onBatch?.(batch.length);
        for (const [row, pending] of batch.entries()) pending.resolve(results[row]);
      },
      (error: unknown) => {
        for (const pending of batch) pending.reject(error);
      },
    );
  }
}
