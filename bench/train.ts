/**
 * Training speed of the seed CNN-LSTM (window 14, conv 32 × 3, LSTM 64, horizon 1) with Adam and MSE, in
 * samples per second at batch 32 and 256, measured as ../shared/reference/torch_reference.py measures
 * PyTorch, which runs in the same benchmark when it is installed. Run on one core:
 *
 *     taskset -c 1 npx tsx bench/train.ts [rounds]
 *
 * These machines are shared and a neighbour can halve a figure for seconds at a time, so the benchmark runs
 * `rounds` (default 3) alternating rounds of both engines and compares the median and the best of each.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Adam, type CnnLstmSpec, createCnnLstm, mseLoss, Rng } from "../src/model/index.ts";

const SPEC: CnnLstmSpec = {
  architecture: "cnn_lstm",
  windowSize: 14,
  horizon: 1,
  convChannels: 32,
  kernelSize: 3,
  lstmHidden: 64,
  lstmLayers: 1,
};
const SAMPLES = 65536;
const BATCHES = [32, 256];
const WARMUP_SECONDS = 1;
const MEASURE_SECONDS = 5;
const TORCH_SCRIPT = fileURLToPath(new URL("../../shared/reference/torch_reference.py", import.meta.url));
const PYTHON = "/usr/bin/python3";

interface Rate {
  samplesPerSecond: number;
  /** CPU time this process got over wall time: well below 1 means a neighbour took the core. */
  cpuShare: number;
}

/** Steady-state training samples/s on random data, stepping through it as the PyTorch script does. */
function trainRate(batch: number): Rate {
  const rng = new Rng(0);
  const network = createCnnLstm(SPEC, rng);
  const optimizer = new Adam(network.params, { lr: 1e-3 });
  const window = SPEC.windowSize;
  const x = Float32Array.from({ length: SAMPLES * window }, () => rng.normal());
  const y = Float32Array.from({ length: SAMPLES }, () => rng.normal());
  const dOut = new Float32Array(batch);
  const step = (i: number) => {
    const start = (i * batch) % (SAMPLES - batch);
    network.zeroGrad();
    const output = network.forward(x.subarray(start * window, (start + batch) * window), batch);
    mseLoss(output, y.subarray(start, start + batch), batch, dOut);
    network.backward(dOut);
    optimizer.step();
  };
  const runFor = (seconds: number): Rate => {
    const begin = performance.now();
    const cpuBegin = process.cpuUsage();
    let steps = 0;
    while (performance.now() - begin < seconds * 1000) step(steps++);
    const elapsed = (performance.now() - begin) / 1000;
    const cpu = process.cpuUsage(cpuBegin);
    return { samplesPerSecond: (steps * batch) / elapsed, cpuShare: (cpu.user + cpu.system) / 1e6 / elapsed };
  };
  runFor(WARMUP_SECONDS);
  return runFor(MEASURE_SECONDS);
}

/** Why PyTorch cannot run here, or undefined when it can. */
function torchMissing(): string | undefined {
  const check = spawnSync(PYTHON, ["-c", "import torch"]);
  return check.status === 0 ? undefined : `PyTorch is not importable by ${PYTHON}`;
}

/** Training rates by batch from one run of the PyTorch reference, on core 1 when taskset exists. */
function torchRates(): Map<number, number> {
  const pinned = spawnSync("taskset", ["-c", "1", "true"]).status === 0;
  const [command, args] = pinned ? ["taskset", ["-c", "1", PYTHON, TORCH_SCRIPT]] : [PYTHON, [TORCH_SCRIPT]];
  const run = spawnSync(command, args, { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`torch_reference.py failed:\n${run.stderr}`);
  const rates = new Map<number, number>();
  for (const line of run.stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    const record = JSON.parse(line);
    if (record.what === "train_samples_per_s") rates.set(record.batch, record.value);
  }
  return rates;
}

function addRate(rates: Map<number, number[]>, batch: number, value: number): void {
  rates.set(batch, [...(rates.get(batch) ?? []), value]);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : Math.round((sorted[middle - 1] + sorted[middle]) / 2);
}

const rounds = Number(process.argv[2] ?? 3);
const missing = torchMissing();
const ours = new Map<number, number[]>();
const torch = new Map<number, number[]>();
for (let round = 1; round <= rounds; round++) {
  for (const batch of BATCHES) {
    const { samplesPerSecond, cpuShare } = trainRate(batch);
    const value = Math.round(samplesPerSecond);
    addRate(ours, batch, value);
    const record = { what: "train_samples_per_s", engine: "salescast", round, batch, value };
    console.log(JSON.stringify({ ...record, cpu_share: Number(cpuShare.toFixed(2)) }));
  }
  if (missing) continue;
  for (const [batch, value] of torchRates()) {
    addRate(torch, batch, value);
    console.log(JSON.stringify({ what: "train_samples_per_s", engine: "torch", round, batch, value }));
  }
}
if (missing) console.log(JSON.stringify({ what: "torch_reference", skipped: missing }));
const ratio = (a: number, b: number | undefined) => (b === undefined ? null : Number((a / b).toFixed(3)));
const rows = [...ours].map(([batch, values]) => {
  const theirs = torch.get(batch);
  const row = {
    batch,
    salescast_median: median(values),
    salescast_best: Math.max(...values),
    torch_median: theirs ? median(theirs) : undefined,
    torch_best: theirs ? Math.max(...theirs) : undefined,
  };
  return {
    ...row,
    ratio_median: ratio(row.salescast_median, row.torch_median),
    ratio_best: ratio(row.salescast_best, row.torch_best),
  };
});
for (const row of rows) console.log(JSON.stringify({ what: "train_samples_per_s_summary", ...row }));

console.log(`\ntraining samples/s over ${rounds} rounds, one core, Adam + MSE, seed CNN-LSTM`);
console.log("batch   ours median   torch median   ratio   ours best   torch best   ratio");
const cell = (v: number | null | undefined, width: number) =>
  (v === null || v === undefined ? "-" : String(v)).padStart(width);
for (const row of rows) {
  console.log(
    [
      String(row.batch).padEnd(5),
      cell(row.salescast_median, 13),
      cell(row.torch_median, 14),
      cell(row.ratio_median, 7),
      cell(row.salescast_best, 11),
      cell(row.torch_best, 12),
      cell(row.ratio_best, 7),
    ].join(" "),
  );
}
if (missing) console.log(`(no PyTorch figures: ${missing})`);
