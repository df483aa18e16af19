import type { Command } from "commander";
import {
  type ArtifactMeta,
  type StoredForecasts,
  writeChunksAtomic,
  writeFileAtomic,
} from "../artifact/index.ts";
import { DEFAULT_CONFIG_PATH, loadConfig } from "../config/index.ts";
import {
  checkStoredForecast,
  ForecastInputError,
  forecastCsvChunks,
  type SeriesForecast,
  storedSeriesForecast,
} from "../forecast/index.ts";
import { LevelError, levelsFromText } from "../intervals/index.ts";
import { Registry } from "../registry/index.ts";
import { crossValidate, cvRowsCsv } from "../train/cv.ts";
import { parsePositiveInt, runCommand, UsageError } from "./errors.ts";

interface CvFlags {
  data: string;
  horizon: string;
  season?: string;
  windows: string;
  step?: string;
  perSeries?: string;
  config: string;
}

interface ForecastFlags {
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

async function forecastCommand(overrides: string[], flags: ForecastFlags): Promise<void> {
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
    cliInput(() => checkStoredForecast(entry.stored, id, horizon));
    return [id, entry.stored] as const;
  });
  const intervals = { levels, clipNegative: config.forecast.clip_negative };
  function* forecasts(): Generator<SeriesForecast> {
    for (const [id, stored] of entries) yield storedSeriesForecast(stored, id, horizon, intervals);
  }
  const chunks = flags.out?.endsWith(".csv")
    ? forecastCsvChunks(forecasts(), levels)
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

async function cvCommand(overrides: string[], flags: CvFlags): Promise<void> {
  const horizon = parsePositiveInt("--horizon", flags.horizon);
  const windows = parsePositiveInt("--windows", flags.windows);
  const step = flags.step === undefined ? horizon : parsePositiveInt("--step", flags.step);
  const season = flags.season === undefined ? "auto" : parsePositiveInt("--season", flags.season);
  const fromFlags = [
    `data.csv_path=${JSON.stringify(flags.data)}`,
    "data.format=auto",
    `data.horizon=${horizon}`,
    `data.season=${season}`,
  ];
  const config = loadConfig(flags.config, [...fromFlags, ...overrides]);
  const { report, rows } = await crossValidate(config, {
    horizon,
    windows,
    step,
    autoSize: !overrides.some((o) => /^data\.window_size=/.test(o)),
  });
  if (flags.perSeries !== undefined) writeFileAtomic(flags.perSeries, cvRowsCsv(rows, config.model.members));
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

/** `salescast cv` (rolling-origin cross-validation) and `salescast forecast` (the stored forecasts). */
export function registerForecastCommands(program: Command): void {
  program
    .command("cv")
    .description("rolling-origin cross-validation of every member and the ensemble; prints a JSON report")
    .requiredOption("--data <file>", "CSV in transactions or long (series_id,date,value) format")
    .requiredOption("--horizon <H>", "steps forecast from each origin")
    .requiredOption("--windows <K>", "forecast origins per series; the last is H before the end")
    .option("--step <S>", "periods between origins (default: H)")
    .option(
      "--season <m>",
      "seasonal period for seasonal naive and MASE (default by frequency: D 7, W 52, M 12)",
    )
    .option("--per-series <file.csv>", "also write series_id,cutoff,date,actual,ensemble,<member>... rows")
    .option("-c, --config <file>", "config file for model and training settings", DEFAULT_CONFIG_PATH)
    .argument("[overrides...]", "config overrides such as model.members=[linear,mstl]")
    .action((overrides: string[], flags: CvFlags) => runCommand(() => cvCommand(overrides, flags)));

  program
    .command("forecast")
    .description("the production versions' stored forecasts of every series (or the named ones), offline")
    .option("--series <id...>", "only these series", [])
    .option("--horizon <H>", "periods per series, at most the trained horizon (default: all)")
    .option("--level <L,...>", "interval levels in percent, e.g. 80,95 (default: model.levels); '' for none")
    .option(
      "--out <file>",
      "write a .csv (series_id,date,forecast,lo_80,hi_80,...) or .json file instead of printing JSON",
    )
    .option("-c, --config <file>", "config file", DEFAULT_CONFIG_PATH)
    .argument("[overrides...]", "config overrides such as registry.path=models/registry.db")
    .action((overrides: string[], flags: ForecastFlags) =>
      runCommand(() => forecastCommand(overrides, flags)),
    );
}
