/**
 * One member of bench/scale.ts in a process of its own, so its peak RSS is its own: reads the file, fits the
 * member on every series' fitting part, forecasts every cross-validation origin, then the full horizon of every
 * series from its end; prints one JSON line with the seconds of each step and the process' peak RSS.
 *
 *     npx tsx bench/scale-member.ts FILE.csv MEMBER [key=value ...]
 */
import { loadConfig } from "../src/config/index.ts";
import { loadSeries } from "../src/data/index.ts";
import { MEMBERS, type MemberName } from "../src/forecasters/index.ts";
import { cvOrigins } from "../src/train/cross-validation.ts";

const [file, member, ...overrides] = process.argv.slice(2);
if (!file || !(member in MEMBERS)) {
  process.stderr.write(
    `usage: scale-member.ts FILE.csv MEMBER; members: ${Object.keys(MEMBERS).join(", ")}\n`,
  );
  process.exit(2);
}
const HORIZON = 14;
const SEASON = 7;
const config = loadConfig(undefined, [
  `data.csv_path=${file}`,
  `data.horizon=${HORIZON}`,
  `data.window_size=${SEASON + HORIZON / 2}`,
  "data.format=long",
  "data.frequency=D",
  ...overrides,
]);
const seconds = (since: number) => (performance.now() - since) / 1000;

let began = performance.now();
const { series, frequency } = await loadSeries(config.data, {
  progress: { onProgress: () => {}, finish: () => {} },
});
const ingest = seconds(began);

const split = {
  windowSize: config.data.window_size,
  horizon: HORIZON,
  validationFraction: config.data.validation_fraction,
};
began = performance.now();
const fitted = MEMBERS[member as MemberName].fit(series, {
  config,
  frequency,
  season: SEASON,
  horizon: HORIZON,
  split,
});
const fit = seconds(began);

const origins = cvOrigins(series, split, config.train.cv_windows, HORIZON);
began = performance.now();
await fitted.beforeValidation(
  series.flatMap(({ values }, seriesIndex) =>
    origins[seriesIndex].map((origin) => ({ seriesIndex, history: values.subarray(0, origin) })),
  ),
  HORIZON,
);
const cv = seconds(began);

began = performance.now();
const forecasts = await fitted.onAll(
  series.map(({ values }, seriesIndex) => ({ seriesIndex, history: values })),
  HORIZON,
);
const forecast = seconds(began);
if (forecasts.length !== series.length)
  throw new Error(`${member}: ${forecasts.length} forecasts for ${series.length} series`);

console.log(
  JSON.stringify({
    member,
    series: series.length,
    ingest_s: ingest,
    fit_s: fit,
    cv_s: cv,
    forecast_s: forecast,
    total_s: ingest + fit + cv + forecast,
    peak_rss_mib: process.resourceUsage().maxRSS / 1024,
  }),
);
