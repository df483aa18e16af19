/**
 * One step of bench/many-series.ts in a process of its own, so that its peak RSS is its own. Prints one JSON line.
 *
 *     npx tsx bench/many-series-step.ts ingest|train|predict FILE.csv ROOT [key=value ...]
 *
 * - `ingest`: loadSeries of the file.
 * - `train`: trains and registers a global model below ROOT (the overrides choose its members and steps).
 * - `predict`: loads the production model's ONNX graph and forecasts every series from its last window, in
 *   batches of each size of `BATCH_SIZES` (the series are loaded first, outside the timing).
 */
import { join } from "node:path";
import { loadConfig } from "../src/config/index.ts";
import { loadSeries } from "../src/data/index.ts";
import { type ForecastRequest, SalesForecaster } from "../src/forecast/index.ts";
import { Registry } from "../src/registry/index.ts";
import { silentProgress } from "../src/train/index.ts";
import { trainAndRegister } from "../src/train/register.ts";

const BATCH_SIZES = [256, 1024, 4096];
const [step, file, root, ...overrides] = process.argv.slice(2);
if (!["ingest", "train", "predict"].includes(step) || !file || !root) {
  process.stderr.write("usage: many-series-step.ts ingest|train|predict FILE.csv ROOT [key=value ...]\n");
  process.exit(2);
}
const config = loadConfig(undefined, [
  `data.csv_path=${JSON.stringify(file)}`,
  "data.format=long",
  "data.frequency=D",
  `paths.artifacts=${JSON.stringify(join(root, "artifacts"))}`,
  `registry.path=${JSON.stringify(join(root, "registry.db"))}`,
  ...overrides,
]);
const quiet = { progress: { onProgress: () => {}, finish: () => {} } };
const seconds = (since: number) => (performance.now() - since) / 1000;
const peakRssMib = () => process.resourceUsage().maxRSS / 1024;

const began = performance.now();
if (step === "ingest") {
  const { series } = await loadSeries(config.data, quiet);
  const rows = series.reduce((sum, one) => sum + one.values.length, 0);
  report({ series: series.length, rows, seconds: seconds(began) });
} else if (step === "train") {
  const registry = await Registry.open(config.registry);
  try {
    const { models } = await trainAndRegister(config, { registry, progress: silentProgress });
    report({ models: models.length, seconds: seconds(began) });
  } finally {
    await registry.close();
  }
} else {
  const { series } = await loadSeries(config.data, quiet);
  const registry = await Registry.open(config.registry);
  const [production] = await registry.production();
  const forecaster = await SalesForecaster.fromArtifact(await registry.artifact(production.id));
  await registry.close();
  const window = config.data.window_size;
  const requests: ForecastRequest[] = series.map(({ id, values }) => ({
    seriesId: id,
    values: values.subarray(values.length - window),
  }));
  const bySize: Record<string, number> = {};
  for (const size of BATCH_SIZES) {
    const started = performance.now();
    let answered = 0;
    for (let first = 0; first < requests.length; first += size) {
      answered += (await forecaster.predictMany(requests.slice(first, first + size))).length;
    }
    if (answered !== requests.length) throw new Error(`${answered} forecasts for ${requests.length} series`);
    bySize[size] = seconds(started);
  }
  await forecaster.close();
  report({ series: series.length, seconds_by_batch_size: bySize });
}

function report(fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ step, ...fields, peak_rss_mib: peakRssMib() })}\n`);
}
