/**
 * Training speed of both architectures at the seed's sizes (window 14, horizon 1) with Adam and MSE, in
 * samples per second at batch 32 and 256, each beside its PyTorch reference in the same run: the CNN-LSTM
 * (conv 32 × 3, LSTM 64) beside ../shared/reference/torch_reference.py, the Transformer (d 32, 4 heads, ffn 64,
 * 2 layers) beside torch_transformer_reference.py, which also gives PyTorch's inference latency; the
 * Transformer's ONNX export is timed in onnxruntime the same way (single window, batch 1024):
 *
 *     npm run bench:train [-- rounds]
 *
 * The benchmark pins itself and PyTorch to core 1 when taskset exists. Debian's torch takes whichever BLAS the system links in, and without
 * OpenBLAS it is several times slower, so the benchmark prints the BLAS it loads and stops unless it is OpenBLAS.
 * These machines are shared and a neighbour can halve a figure for seconds at a time, so the benchmark runs
 * `rounds` (default 3) alternating rounds of both engines and compares the median and the best of each.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as ort from "onnxruntime-node";
import { Adam, createNetwork, exportOnnx, mseLoss, type NetworkSpec, Rng } from "../src/model/index.ts";

const SPECS: Record<NetworkSpec["architecture"], NetworkSpec> = {
  cnn_lstm: {
    architecture: "cnn_lstm",
    windowSize: 14,
    horizon: 1,
    convChannels: 32,
    kernelSize: 3,
    lstmHidden: 64,
    lstmLayers: 1,
  },
  transformer: {
    architecture: "transformer",
    windowSize: 14,
    horizon: 1,
    dModel: 32,
    heads: 4,
    ffn: 64,
    layers: 2,
  },
};
const TORCH_SCRIPTS: Record<NetworkSpec["architecture"], string> = {
  cnn_lstm: "torch_reference.py",
  transformer: "torch_transformer_reference.py",
};
const SAMPLES = 65536;
const BATCHES = [32, 256];
const WARMUP_SECONDS = 1;
const MEASURE_SECONDS = 5;
const SINGLE_WINDOW_RUNS = 3000;
const LARGE_BATCH = 1024;
const LARGE_BATCH_RUNS = 100;
const REFERENCE_DIR = new URL("../../shared/reference/", import.meta.url);
const PYTHON = "/usr/bin/python3";
const CORE = "1";

interface Rate {
  samplesPerSecond: number;
  /** CPU time this process got over wall time: well below 1 means a neighbour took the core. */
  cpuShare: number;
}

/** Steady-state training samples/s on random data, stepping through it as the PyTorch scripts do. */
function trainRate(spec: NetworkSpec, batch: number): Rate {
  const rng = new Rng(0);
  const network = createNetwork(spec, rng);
  const optimizer = new Adam(network.params, { lr: 1e-3 });
  const { windowSize: window, horizon } = spec;
  const x = Float32Array.from({ length: SAMPLES * window }, () => rng.normal());
  const y = Float32Array.from({ length: SAMPLES * horizon }, () => rng.normal());
  const dOut = new Float32Array(batch * horizon);
  const step = (i: number) => {
    const start = (i * batch) % (SAMPLES - batch);
    network.zeroGrad();
    const output = network.forward(x.subarray(start * window, (start + batch) * window), batch);
    mseLoss(output, y.subarray(start * horizon, (start + batch) * horizon), batch * horizon, dOut);
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

interface Inference {
  singleP50Us: number;
  singleP99Us: number;
  largeBatchWindowsPerSecond: number;
}

/** The exported model in onnxruntime with the server's session options, timed as the PyTorch script times. */
async function onnxInference(spec: NetworkSpec): Promise<Inference> {
  const rng = new Rng(0);
  const network = createNetwork(spec, rng);
  const bytes = exportOnnx(spec, new Map(network.params.map((p) => [p.name, p.data])));
  const session = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
  });
  const timings = async (batch: number, runs: number) => {
    const x = Float32Array.from({ length: batch * spec.windowSize }, () => rng.normal());
    const feeds = { input: new ort.Tensor("float32", x, [batch, spec.windowSize]) };
    for (let i = 0; i < 100; i++) await session.run(feeds);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const begin = performance.now();
      await session.run(feeds);
      times.push(performance.now() - begin);
    }
    return times.sort((a, b) => a - b);
  };
  try {
    const single = await timings(1, SINGLE_WINDOW_RUNS);
    const large = await timings(LARGE_BATCH, LARGE_BATCH_RUNS);
    return {
      singleP50Us: Number((single[single.length >> 1] * 1000).toFixed(1)),
      singleP99Us: Number((single[Math.floor(single.length * 0.99)] * 1000).toFixed(1)),
      largeBatchWindowsPerSecond: Math.round(LARGE_BATCH / (large[large.length >> 1] / 1000)),
    };
  } finally {
    await session.release();
  }
}

/** Why PyTorch cannot run here, or undefined when it can. */
function torchMissing(): string | undefined {
  const check = spawnSync(PYTHON, ["-c", "import torch"]);
  return check.status === 0 ? undefined : `PyTorch is not importable by ${PYTHON}`;
}

/** The BLAS libraries torch loads for a matrix product, from its process's memory map. */
function torchBlas(): string[] {
  const probe = [
    "import torch",
    "a = torch.ones(64, 64); a @ a",
    "print('\\n'.join(sorted({l.split()[-1] for l in open('/proc/self/maps') if 'blas' in l.lower()})))",
  ].join("\n");
  const run = spawnSync(PYTHON, ["-c", probe], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`probing torch's BLAS failed:\n${run.stderr}`);
  return run.stdout.split("\n").filter((line) => line !== "");
}

// This process and every thread of it on CORE, where the PyTorch scripts run too.
const pinned = spawnSync("taskset", ["-a", "-pc", CORE, String(process.pid)]).status === 0;

/** The JSON records of one run of a PyTorch reference script, on the benchmark's core when taskset exists. */
function torchRecords(script: string): Record<string, number | string>[] {
  const path = fileURLToPath(new URL(script, REFERENCE_DIR));
  const [command, args] = pinned ? ["taskset", ["-c", CORE, PYTHON, path]] : [PYTHON, [path]];
  const run = spawnSync(command, args, { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`${script} failed:\n${run.stderr}`);
  return run.stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line));
}

function addValue(values: Map<string, number[]>, key: string, value: number): void {
  values.set(key, [...(values.get(key) ?? []), value]);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const rounds = Number(process.argv[2] ?? 3);
const missing = torchMissing();
if (!missing) {
  const blas = torchBlas();
  console.log(JSON.stringify({ what: "torch_blas", libraries: blas }));
  if (!blas.some((library) => /openblas/i.test(library))) {
    console.error(
      "torch does not run OpenBLAS here: apt-get install -y libopenblas0-serial (see the reference)",
    );
    process.exit(1);
  }
}
console.log(JSON.stringify({ what: "pinned", core: pinned ? CORE : null }));

// Keys: "<architecture> train <batch>", "transformer infer_batch1_p50_us", ...
const ours = new Map<string, number[]>();
const torch = new Map<string, number[]>();
for (let round = 1; round <= rounds; round++) {
  for (const [architecture, spec] of Object.entries(SPECS)) {
    for (const batch of BATCHES) {
      const { samplesPerSecond, cpuShare } = trainRate(spec, batch);
      const value = Math.round(samplesPerSecond);
      addValue(ours, `${architecture} train ${batch}`, value);
      const record = { what: "train_samples_per_s", engine: "salescast", architecture, round, batch, value };
      console.log(JSON.stringify({ ...record, cpu_share: Number(cpuShare.toFixed(2)) }));
    }
    if (architecture === "transformer") {
      const inference = await onnxInference(spec);
      addValue(ours, "transformer infer_batch1_p50_us", inference.singleP50Us);
      addValue(ours, "transformer infer_batch1_p99_us", inference.singleP99Us);
      addValue(ours, "transformer infer_batch1024_windows_per_s", inference.largeBatchWindowsPerSecond);
      console.log(
        JSON.stringify({ what: "onnx_inference", engine: "onnxruntime", architecture, round, ...inference }),
      );
    }
    if (missing) continue;
    for (const record of torchRecords(TORCH_SCRIPTS[architecture as NetworkSpec["architecture"]])) {
      console.log(JSON.stringify({ ...record, engine: "torch", architecture, round }));
      if (record.what === "train_samples_per_s") {
        addValue(torch, `${architecture} train ${record.batch}`, Number(record.value));
      } else if (architecture === "transformer" && record.what === "infer_batch1_us") {
        addValue(torch, "transformer infer_batch1_p50_us", Number(record.p50));
        addValue(torch, "transformer infer_batch1_p99_us", Number(record.p99));
      } else if (architecture === "transformer" && record.what === "infer_batch1024_windows_per_s") {
        addValue(torch, "transformer infer_batch1024_windows_per_s", Number(record.value));
      }
    }
  }
}
if (missing) console.log(JSON.stringify({ what: "torch_reference", skipped: missing }));

// For latencies lower is better, so their ratio is torch over ours: above 1 means faster than PyTorch.
const lowerIsBetter = (key: string) => key.endsWith("_us");
const ratio = (key: string, a: number, b: number | undefined) =>
  b === undefined ? null : Number((lowerIsBetter(key) ? b / a : a / b).toFixed(3));
const rows = [...ours].map(([key, values]) => {
  const theirs = torch.get(key);
  const best = lowerIsBetter(key) ? Math.min : Math.max;
  const row = {
    key,
    salescast_median: median(values),
    salescast_best: best(...values),
    torch_median: theirs ? median(theirs) : undefined,
    torch_best: theirs ? best(...theirs) : undefined,
  };
  return {
    ...row,
    speedup_median: ratio(key, row.salescast_median, row.torch_median),
    speedup_best: ratio(key, row.salescast_best, row.torch_best),
  };
});
for (const row of rows) console.log(JSON.stringify({ what: "summary", ...row }));

console.log(`\nover ${rounds} rounds, one core; speedup = ours/torch for rates, torch/ours for latencies`);
console.log(
  "figure                                          ours median  torch median  speedup   ours best  torch best  speedup",
);
const cell = (v: number | null | undefined, width: number) =>
  (v === null || v === undefined ? "-" : String(Math.round(v * 10) / 10)).padStart(width);
for (const row of rows) {
  console.log(
    [
      row.key.padEnd(46),
      cell(row.salescast_median, 12),
      cell(row.torch_median, 13),
      cell(row.speedup_median, 8),
      cell(row.salescast_best, 11),
      cell(row.torch_best, 11),
      cell(row.speedup_best, 8),
    ].join(" "),
  );
}
if (missing) console.log(`(no PyTorch figures: ${missing})`);
