import { writeFileAtomic } from "../artifact/index.ts";
import { loadConfig } from "../config/index.ts";
import { crossValidate, cvRowsCsv } from "../train/cv.ts";
import { parsePositiveInt } from "./errors.ts";

export interface CvFlags {
  data: string;
  horizon: string;
  season?: string;
  windows: string;
  step?: string;
  perSeries?: string;
  config: string;
}

/** `salescast cv`: rolling-origin cross-validation of every member and the ensemble, as a JSON report. */
export async function cvCommand(overrides: string[], flags: CvFlags): Promise<void> {
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
