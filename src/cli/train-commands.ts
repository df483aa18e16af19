import type { Command } from "commander";
import type { MetricsRecord } from "../artifact/index.ts";
import { DEFAULT_CONFIG_PATH, loadConfig } from "../config/index.ts";
import { backtest } from "../train/index.ts";
import { parsePositiveInt, runCommand, UsageError } from "./errors.ts";
import { describeRegistration, trainIntoRegistry } from "./models-commands.ts";

const fmt = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) ? "n/a" : v.toFixed(3);

interface BacktestFlags {
  data: string;
  horizon: string;
  season?: string;
  frequency?: string;
  holidayWeeks?: string;
  config: string;
}

export function registerTrainCommands(program: Command): void {
  program
    .command("train")
    .description(
      "train on the configured CSV, save the model files (ONNX, normalization, meta) and register them",
    )
    .option("-c, --config <file>", "config file", DEFAULT_CONFIG_PATH)
    .argument("[overrides...]", "config overrides such as model.lstm_hidden=128 train.max_epochs=3")
    .action((overrides: string[], opts: { config: string }) =>
      runCommand(async () => {
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
          const rows: [string, MetricsRecord][] = [
            ["ensemble", meta.validation.model],
            ...members,
            ...baselines,
          ];
          for (const [label, m] of rows) {
            console.log(
              `  ${label.padEnd(27)} ${fmt(m.mae).padStart(10)} ${fmt(m.rmse).padStart(10)} ${fmt(m.mase).padStart(10)}`,
            );
          }
        }
      }),
    );

  program
    .command("backtest")
    .description("run the accuracy protocol (last H points of every series held out) and print a JSON report")
    .requiredOption("--data <file>", "CSV in transactions or long (series_id,date,value) format")
    .requiredOption("--horizon <H>", "test points at the end of every series; the model forecasts H steps")
    .option(
      "--season <m>",
      "seasonal period for seasonal naive and MASE (default by frequency: D 7, W 52, M 12)",
    )
    .option("--frequency <D|W|M>", "period of the series (default: read from the dates)")
    .option(
      "--holiday-weeks <country>",
      "also report the error on holdout periods holding this country's holidays",
    )
    .option("-c, --config <file>", "config file for model and training settings", DEFAULT_CONFIG_PATH)
    .argument("[overrides...]", "config overrides such as train.scope=per_series data.window_size=26")
    .action((overrides: string[], opts: BacktestFlags) =>
      runCommand(async () => {
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
      }),
    );
}
