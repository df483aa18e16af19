import type { MetricsRecord } from "../artifact/index.ts";
import { loadConfig } from "../config/index.ts";
import { backtest } from "../train/index.ts";
import { parsePositiveInt, UsageError } from "./errors.ts";
import { describeRegistration, trainIntoRegistry } from "./models-actions.ts";

const fmt = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) ? "n/a" : v.toFixed(3);

export interface BacktestFlags {
  data: string;
  horizon: string;
  season?: string;
  frequency?: string;
  holidayWeeks?: string;
  config: string;
}

/** `salescast train`: trains, saves and registers what the config asks, and prints each model's record. */
export async function trainCommand(overrides: string[], opts: { config: string }): Promise<void> {
  const config = loadConfig(opts.config, overrides);
  const result = await trainIntoRegistry(config);
  for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
  for (const { artifact, series, seconds, registration } of result.models) {
    const { meta } = artifact;
    console.log(`${meta.name}: saved ${artifact.folder}`);
    console.log(`  ${describeRegistration(registration)}`);
    console.log(
      `  ${series.length} series in ${seconds.toFixed(1)} s; window routes served by ${meta.window_member}`,
    );
    const origins = meta.validation.measured_on?.origins ?? 0;
    console.log(`  cross-validation (${origins} origins)     MAE       RMSE       MASE`);
    const members = Object.entries(meta.members ?? {}).map(([name, m]): [string, MetricsRecord] => [
      name,
      m.cv,
    ]);
    // The baselines, unless they are members already.
    const baselines = (
      [
        ["naive", meta.validation.naive],
        ["seasonal_naive", meta.validation.seasonal_naive],
      ] as [string, MetricsRecord][]
    ).filter(([name]) => !(name in (meta.members ?? {})));
    const rows: [string, MetricsRecord][] = [["ensemble", meta.validation.model], ...members, ...baselines];
    for (const [label, m] of rows) {
      console.log(
        `  ${label.padEnd(27)} ${fmt(m.mae).padStart(10)} ${fmt(m.rmse).padStart(10)} ${fmt(m.mase).padStart(10)}`,
      );
    }
  }
}

/** `salescast backtest`: the accuracy protocol on the last H points of every series, as a JSON report. */
export async function backtestCommand(overrides: string[], opts: BacktestFlags): Promise<void> {
  const horizon = parsePositiveInt("--horizon", opts.horizon);
  const season = opts.season === undefined ? "auto" : parsePositiveInt("--season", opts.season);
  if (opts.frequency !== undefined && !["D", "W", "M"].includes(opts.frequency)) {
    throw new UsageError(`--frequency must be D, W or M, got '${opts.frequency}'`);
  }
  const fromFlags = [
    `data.csv_path=${JSON.stringify(opts.data)}`,
    "data.format=auto",
    `data.frequency=${opts.frequency ?? "auto"}`,
    `data.horizon=${horizon}`,
    `data.season=${season}`,
  ];
  const config = loadConfig(opts.config, [...fromFlags, ...overrides]);
  const report = await backtest(config, {
    holdout: horizon,
    // The data decide the window (and the kernel within it) unless the user set either; choosing the
    // architecture or the highway leaves that to the data.
    autoSize: !overrides.some((o) => /^(data\.window_size|model\.kernel_size)=/.test(o)),
    holidayCountry: opts.holidayWeeks,
  });
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}
