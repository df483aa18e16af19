import type { WindowFeatures } from "../lib/window-features.ts";
import type {
  Health,
  Holiday,
  HolidayCalendar,
  HolidayList,
  ModelDetail,
  ModelList,
  Prediction,
  SeriesCovariates,
  SeriesForecast,
  SeriesHistory,
  SeriesList,
  TrainingRun,
  TrainStarted,
} from "./types.ts";

/** A request the server refused or could not answer; `message` is the server's own words where it gave any. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface RequestOptions {
  method?: "GET" | "POST";
  body?: unknown;
  /** The admin token, for the routes that change state. */
  token?: string;
}

async function request<T>(path: string, { method = "GET", body, token }: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (token) headers.authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(
      0,
      "network",
      `The server did not answer ${method} ${path}: ${(error as Error).message}`,
    );
  }
  const text = await response.text();
  const parsed = parseJson(text);
  if (!response.ok) {
    const fields = (parsed ?? {}) as { error?: unknown; message?: unknown };
    const message =
      typeof fields.message === "string" ? fields.message : text.slice(0, 300) || response.statusText;
    const code = typeof fields.error === "string" ? fields.error : String(response.status);
    throw new ApiError(response.status, code, message);
  }
  if (parsed === undefined)
    throw new ApiError(response.status, "bad_json", `${method} ${path} did not answer JSON`);
  return parsed as T;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const enc = encodeURIComponent;

const READ_RETRY_MS = 2000;

/**
 * A server over a large history answers 503 series_unavailable while it still reads the file at its start:
 * ask again every 2 s until it has (any other answer, or error, is the caller's).
 */
async function whileReading<T>(ask: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await ask();
    } catch (error) {
      const reading =
        error instanceof ApiError &&
        error.code === "series_unavailable" &&
        /still being read/.test(error.message);
      if (!reading) throw error;
      await new Promise((resolve) => setTimeout(resolve, READ_RETRY_MS));
    }
  }
}

/** `?start=…&end=…` of a date range, or nothing for an open one. */
function rangeQuery(range: { start?: string; end?: string }): string {
  const query = new URLSearchParams();
  if (range.start) query.set("start", range.start);
  if (range.end) query.set("end", range.end);
  return query.size > 0 ? `?${query}` : "";
}

export const api = {
  seriesList: () => whileReading(() => request<SeriesList>("/api/series")).then((body) => body.series),
  seriesHistory: (id: string, range: { start?: string; end?: string } = {}) =>
    request<SeriesHistory>(`/api/series/${enc(id)}${rangeQuery(range)}`),
  /** The rows of the server's covariates file for a series (data.covariates_path), also past its last sale. */
  seriesCovariates: (id: string, range: { start?: string; end?: string } = {}) =>
    request<SeriesCovariates>(`/api/series/${enc(id)}/covariates${rangeQuery(range)}`),
  holidays: (calendar: HolidayCalendar, range: { start: string; end: string }): Promise<Holiday[]> => {
    const query = new URLSearchParams({
      country: calendar.country,
      types: calendar.types.join(","),
      ...range,
    });
    if (calendar.region) query.set("region", calendar.region);
    return request<HolidayList>(`/api/holidays?${query}`).then((body) => body.holidays);
  },
  health: () => request<Health>("/api/health"),
  /** A forecast from a window; a model with features also needs the window's start and covariates. */
  predict: (seriesId: string, values: number[], features?: WindowFeatures) =>
    request<Prediction>(`/api/predict/${enc(seriesId)}`, {
      method: "POST",
      body: { series: values, ...features },
    }),
  models: () => request<ModelList>("/api/models").then((body) => body.models),
  model: (id: number) => request<ModelDetail>(`/api/models/${id}`),
  /** The forecast the serving version stored for a series at training: the ensemble's and each member's. */
  storedForecast: (seriesId: string) => request<SeriesForecast>(`/api/forecast/${enc(seriesId)}`),
  promote: (id: number, token: string) =>
    request<unknown>(`/api/models/${id}/promote`, { method: "POST", body: {}, token }),
  rollback: (name: string, token: string) =>
    request<unknown>("/api/models/rollback", { method: "POST", body: { name }, token }),
  startTraining: (token: string) => request<TrainStarted>("/api/train", { method: "POST", body: {}, token }),
  trainingRun: (runId: string) => request<TrainingRun>(`/api/train/${enc(runId)}`),
};
