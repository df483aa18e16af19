import { writeChunksAtomic } from "../artifact/atomic.ts";
import type { ArtifactMeta, StoredForecasts } from "../artifact/format.ts";
import { loadConfig } from "../config/index.ts";
import { ForecastInputError } from "../forecast/input-error.ts";
import {
  type CsvSeries,
  checkStoredForecast,
  forecastCsvChunks,
  type SeriesForecast,
  storedCsvSeries,
  storedSeriesForecast,
} from "../forecast/stored.ts";
import { LevelError, levelsFromText } from "../intervals/levels.ts";
import { Registry } from "../registry/registry.ts";
import { parsePositiveInt, UsageError } from "./errors.ts";

export interface ForecastFlags {
  series: string[];
  out?: string;
  horizon?: string;
  level?: string;
  config: string;
}

/** The levels `--level 80,95` asks for; without the flag, the config's `model.levels`. */
function cliLevels(flag: string | undefined, defaults: readonly number[]): number[] {
  if (flag === undefined) return [...defaults];
  try {
    return levelsFromText(flag, "--level");
  } catch (error) {
    if (error instanceof LevelError) throw new UsageError(error.message);
    throw error;
  }
}

/** Each series' production version's stored forecasts: a series' own model before the global one. */
async function productionForecasts(
  registry: Registry,
): Promise<Map<string, { stored: StoredForecasts | null; meta: ArtifactMeta }>> {
  const bySeries = new Map<string, { stored: StoredForecasts | null; meta: ArtifactMeta }>();
  const production = (await registry.production()).sort(
    (a, b) => Number(a.name === "global") - Number(b.name === "global"),
  );
  for (const { id } of production) {
    const artifact = await registry.artifact(id);
    for (const id of artifact.meta.series) {
      if (!bySeries.has(id)) bySeries.set(id, { stored: artifact.forecasts, meta: artifact.meta });
    }
  }
  return bySeries;
}

export async function forecastCommand(overrides: string[], flags: ForecastFlags): Promise<void> {
  const config = loadConfig(flags.config, overrides);
  const horizon = flags.horizon === undefined ? undefined : parsePositiveInt("--horizon", flags.horizon);
  const levels = cliLevels(flags.level, config.model.levels);
  if (flags.out !== undefined && !/\.(csv|json)$/.test(flags.out)) {
    throw new UsageError(`--out must name a .csv or .json file, got '${flags.out}'`);
  }
  const registry = await Registry.open(config.registry);
  let bySeries: Awaited<ReturnType<typeof productionForecasts>>;
  try {
    bySeries = await productionForecasts(registry);
  } finally {
    await registry.close();
  }
  if (bySeries.size === 0)
    throw new UsageError("no model is in production: train one with `npx salescast train`");
  const ids = flags.series.length > 0 ? flags.series : [...bySeries.keys()].sort();
  // every series is checked before the first row is written: a bad request leaves no partial output
  const entries = ids.map((id) => {
    const entry = bySeries.get(id);
    if (!entry) throw new UsageError(`--series: no production model was trained on series '${id}'`);
    cliInput(() => checkStoredForecast(entry.stored, id, horizon, levels));
    return [id, entry.stored] as const;
  });
  const intervals = { levels, clipNegative: config.forecast.clip_negative };
  function* csvSeries(): Generator<CsvSeries> {
    for (const [id, stored] of entries) yield storedCsvSeries(stored, id, horizon, intervals);
  }
  function* forecasts(): Generator<SeriesForecast> {
    for (const [id, stored] of entries) yield storedSeriesForecast(stored, id, horizon, intervals);
  }
  const chunks = flags.out?.endsWith(".csv")
    ? forecastCsvChunks(csvSeries(), levels)
    : [`${JSON.stringify({ series: [...forecasts()] }, null, 2)}\n`];
  if (flags.out === undefined) for (const chunk of chunks) process.stdout.write(chunk);
  else writeChunksAtomic(flags.out, chunks);
}

/** A forecast input error as the CLI's usage error (exit 2, the message as it is). */
function cliInput<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof ForecastInputError) throw new UsageError(error.message);
    throw error;
  }
}
