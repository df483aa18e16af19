import * as ort from "onnxruntime-node";
import {
  type Artifact,
  ArtifactError,
  readArtifact,
  type SeriesStats,
  type StoredForecasts,
} from "../artifact/index.ts";
import { addPeriods, clipForecast, windowStats } from "../data/index.ts";
import { ForecastInputError } from "./input-error.ts";
import { hasScores, type Intervals, NO_CALIBRATION_NOTE, WindowIntervals } from "./intervals.ts";
import { QuantileBands } from "./quantile-bands.ts";
import { type RequestFeatures, requestFeatureRows } from "./request-features.ts";

export { ForecastInputError };

export interface ForecastRequest extends RequestFeatures {
  values: ArrayLike<number>;
  /** The series whose stats normalize the input; without one, the model's pooled stats. */
  seriesId?: string;
  /** Interval levels (percent) to answer beside the forecast; none or empty: no intervals. */
  levels?: readonly number[];
}

export interface ForecastResult {
  /** The first forecast step, as the original API answered. */
  predicted_sales: number;
  /** Every step of the horizon. */
  forecast: number[];
  /** The asked levels' bands, when the model has a calibration for them. */
  intervals?: Intervals;
  /** Why something asked for is missing from the answer (intervals of a model without calibration). */
  notes?: string[];
}

export interface ForecasterOptions {
  /** Sales are never negative: clip forecasts below 0 (on by default). */
  clipNegative?: boolean;
}

export interface ModelInfo {
  name: string;
  version: string;
  scope: string;
  window_size: number;
  horizon: number;
  frequency: string;
  created_at: string;
}

/**
 * The largest scaled input the model's float32 arithmetic takes: float32 ends at 3.4e38, and the network
 * multiplies the window by its weights and sums, so a scaled value stays twenty orders of magnitude below.
 */
export const MAX_SCALED_INPUT = 1e18;

const INPUT_NAME = "input";
const OUTPUT_NAME = "output";
/** A network saved with a quantile head also answers `[batch, horizon, quantiles]` here. */
const QUANTILES_OUTPUT = "quantiles";
/** A model with features (format 3) takes them here: [batch, window + horizon, features]. */
const COVARIATES_INPUT = "covariates";

/** Loads a saved model (ONNX + normalization + meta), then turns raw sales windows into forecasts. */
export class SalesForecaster {
  readonly windowSize: number;
  readonly horizon: number;
  readonly info: ModelInfo;
  private readonly windowIntervals: WindowIntervals | null;
  /** The serving network's quantile head (its probabilities), which gives the window routes' bands. */
  private readonly head: QuantileBands | null;

  private constructor(
    readonly artifact: Artifact,
    private readonly session: ort.InferenceSession,
    private readonly clipNegative: boolean,
    version: string,
  ) {
    this.windowSize = artifact.meta.window_size;
    this.horizon = artifact.meta.horizon;
    const calibration = artifact.forecasts?.calibration;
    this.windowIntervals =
      calibration && hasScores(calibration.window) ? new WindowIntervals(calibration) : null;
    const { quantiles } = artifact.meta.spec;
    this.head =
      session.outputNames.includes(QUANTILES_OUTPUT) && Array.isArray(quantiles)
        ? new QuantileBands(quantiles as number[])
        : null;
    const { name, scope, frequency, created_at } = artifact.meta;
    this.info = {
      name,
      version,
      scope,
      window_size: this.windowSize,
      horizon: this.horizon,
      frequency,
      created_at,
    };
  }

  /**
   * Reads and verifies the artifact folder, opens the ONNX model, and checks that it maps a window of the
   * recorded size to the recorded horizon. Every failure is an ArtifactError naming the file.
   */
  static async load(
    folder: string,
    options: ForecasterOptions & { version?: string } = {},
  ): Promise<SalesForecaster> {
    return SalesForecaster.fromArtifact(readArtifact(folder), options);
  }

  /** As load, for an artifact already read and verified (from a folder or from the registry's database). */
  static async fromArtifact(
    artifact: Artifact,
    options: ForecasterOptions & { version?: string } = {},
  ): Promise<SalesForecaster> {
    const modelPath = `${artifact.folder}/model.onnx`;
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(artifact.onnx, {
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        executionMode: "sequential",
        graphOptimizationLevel: "all",
      });
    } catch (error) {
      throw new ArtifactError(`${modelPath} is not a loadable ONNX model: ${(error as Error).message}`);
    }
    if (!session.inputNames.includes(INPUT_NAME) || !session.outputNames.includes(OUTPUT_NAME)) {
      await session.release();
      throw new ArtifactError(`${modelPath} lacks the '${INPUT_NAME}' input or the '${OUTPUT_NAME}' output`);
    }
    const forecaster = new SalesForecaster(
      artifact,
      session,
      options.clipNegative ?? true,
      options.version ?? artifact.meta.created_at,
    );
    await forecaster.checkShape(modelPath);
    return forecaster;
  }

  private async checkShape(modelPath: string): Promise<void> {
    let output: ort.Tensor;
    try {
      const input = new ort.Tensor("float32", new Float32Array(this.windowSize), [1, this.windowSize]);
      const feeds: Record<string, ort.Tensor> = { [INPUT_NAME]: input };
      const features = this.artifact.meta.features;
      if (features) {
        const shape = [1, this.windowSize + this.horizon, features.names.length];
        feeds[COVARIATES_INPUT] = new ort.Tensor("float32", new Float32Array(shape[1] * shape[2]), shape);
      }
      output = (await this.session.run(feeds))[OUTPUT_NAME];
    } catch (error) {
      await this.session.release();
      throw new ArtifactError(
        `${modelPath} does not accept a window of ${this.windowSize} values: ${(error as Error).message}`,
      );
    }
    if (output.dims.length !== 2 || output.dims[1] !== this.horizon) {
      await this.session.release();
      throw new ArtifactError(
        `${modelPath} gives output shape [${output.dims.join(", ")}], expected [1, ${this.horizon}] per meta.json`,
      );
    }
  }

  get seriesIds(): string[] {
    return this.artifact.meta.series;
  }

  hasSeries(id: string): boolean {
    return Object.hasOwn(this.artifact.normalization.series, id);
  }

  private statsFor(seriesId: string | undefined): SeriesStats {
    if (seriesId === undefined) return this.artifact.normalization.default;
    if (!this.hasSeries(seriesId))
      throw new ForecastInputError(`unknown series '${seriesId}'`, "unknown_series");
    return this.artifact.normalization.series[seriesId];
  }

  /** Checks one request; throws a ForecastInputError naming the rule it breaks. */
  validate(request: ForecastRequest, field = "series"): void {
    this.checkedStats(request, field);
    if (request.levels && request.levels.length > 0) this.head?.check(request.levels);
  }

  /** How the model's input windows are scaled (format 1 models: by their series' stats). */
  get normalizationMode(): "series" | "window" {
    return this.artifact.normalization.mode ?? "series";
  }

  /** Whether forecasts can carry intervals (a model saved with a calibration or a quantile head). */
  get hasIntervals(): boolean {
    return this.windowIntervals !== null || this.head !== null;
  }

  /** Whether stored forecasts are clipped at 0 (their bands are too). */
  get clipsNegative(): boolean {
    return this.clipNegative;
  }

  /** The stored forecasts of the series the model was trained on (none for a format 1 model). */
  get storedForecasts(): StoredForecasts | null {
    return this.artifact.forecasts;
  }

  /**
   * The stats that normalize a valid request: the window's own under window normalization (a known series id
   * is still required where one is given), else the series' or the pooled ones. Throws a ForecastInputError
   * for an invalid request.
   */
  private checkedStats(request: ForecastRequest, field: string): SeriesStats {
    const { values } = request;
    if (values.length !== this.windowSize) {
      throw new ForecastInputError(
        `${field} must contain exactly ${this.windowSize} values, got ${values.length}`,
        "length",
      );
    }
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) {
        throw new ForecastInputError(`${field}[${i}] must be a finite number, got ${values[i]}`, "value");
      }
    }
    const seriesStats = this.statsFor(request.seriesId);
    const stats = this.normalizationMode === "window" ? windowStats(values) : seriesStats;
    for (let i = 0; i < values.length; i++) {
      if (Math.abs((values[i] - stats.mean) / stats.std) > MAX_SCALED_INPUT) {
        const limit = MAX_SCALED_INPUT * stats.std + Math.abs(stats.mean);
        throw new ForecastInputError(
          `${field}[${i}] is ${values[i]}, too large for the model's float32 arithmetic: ` +
            `values of this series must stay within ±${limit.toPrecision(3)}`,
          "value",
        );
      }
    }
    return stats;
  }

  /** Forecasts many windows in one onnxruntime call; results come back in request order. */
  async predictMany(requests: readonly ForecastRequest[]): Promise<ForecastResult[]> {
    const batch = requests.length;
    if (batch === 0) return [];
    const window = this.windowSize;
    const input = new Float32Array(batch * window);
    const epsilon = this.artifact.normalization.input_std_epsilon ?? 0;
    const stats = requests.map((request, row) => {
      const s = this.checkedStats(request, requests.length > 1 ? `items[${row}].series` : "series");
      const scale = s.std + epsilon;
      for (let t = 0; t < window; t++) input[row * window + t] = (request.values[t] - s.mean) / scale;
      return s;
    });
    const feeds: Record<string, ort.Tensor> = {
      [INPUT_NAME]: new ort.Tensor("float32", input, [batch, window]),
    };
    const features = this.artifact.meta.features;
    if (!features) {
      requests.forEach((request, row) => {
        const extra = Object.keys(request.covariates ?? {})[0];
        if (extra === undefined) return;
        const field = requests.length > 1 ? `items[${row}].` : "";
        throw new ForecastInputError(
          `${field}covariates.${extra} is not a covariate of this model (it was trained on the sales alone)`,
          "value",
        );
      });
    } else {
      const rows = window + this.horizon;
      const width = features.names.length;
      const cov = new Float32Array(batch * rows * width);
      requests.forEach((request, row) => {
        const field = requests.length > 1 ? `items[${row}].` : "";
        const start = request.start ?? this.defaultStart(request.seriesId);
        requestFeatureRows(
          features,
          this.artifact.meta.frequency,
          window,
          this.horizon,
          { ...request, start },
          field,
          cov,
          row * rows * width,
        );
      });
      feeds[COVARIATES_INPUT] = new ort.Tensor("float32", cov, [batch, rows, width]);
    }
    const { head } = this;
    const withBands = requests.some((request) => (request.levels?.length ?? 0) > 0);
    if (head && withBands) for (const request of requests) head.check(request.levels ?? []);
    // The head's output is computed only when asked for: a request without levels costs what it did.
    const fetches = head && withBands ? [OUTPUT_NAME, QUANTILES_OUTPUT] : [OUTPUT_NAME];
    const outputs = await this.session.run(feeds, fetches);
    const output = outputs[OUTPUT_NAME].data as Float32Array;
    const quantiles = head && withBands ? (outputs[QUANTILES_OUTPUT].data as Float32Array) : null;
    return stats.map((s, row) => {
      const scaled = Array.from(
        output.subarray(row * this.horizon, (row + 1) * this.horizon),
        (v) => v * s.std + s.mean,
      );
      const forecast = clipForecast(scaled, this.clipNegative);
      const result: ForecastResult = { predicted_sales: forecast[0], forecast };
      const levels = requests[row].levels;
      if (levels && levels.length > 0) {
        if (head && quantiles) {
          result.intervals = head.bands(quantiles, row, this.horizon, s, levels, this.clipNegative);
        } else if (this.windowIntervals) {
          result.intervals = this.windowIntervals.bands(forecast, s.std, levels, this.clipNegative);
        } else result.notes = [NO_CALIBRATION_NOTE];
      }
      return result;
    });
  }

  /**
   * Without `start`, a window of a stored series ends at its last training date: it starts window_size
   * periods before the first stored forecast date. Without a series, there is no default.
   */
  private defaultStart(seriesId: string | undefined): string | undefined {
    const stored = seriesId === undefined ? undefined : this.artifact.forecasts?.series[seriesId];
    if (!stored || !Object.hasOwn(this.artifact.forecasts?.series ?? {}, seriesId as string))
      return undefined;
    return addPeriods(stored.dates[0], this.artifact.meta.frequency, -this.windowSize);
  }

  async predict(values: ArrayLike<number>, seriesId?: string): Promise<ForecastResult> {
    const [result] = await this.predictMany([{ values, seriesId }]);
    return result;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
