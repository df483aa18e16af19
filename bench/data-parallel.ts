/**
 * Data-parallel training of one network: training samples/s with each batch shared over 2 threads (this one
 * and a shard thread) against this thread alone, for the bundled CNN-LSTM (window 14, horizon 14, conv 32 × 3,
 * LSTM 64, highway) and the Transformer (d 32, 4 heads, ffn 64, 2 layers), at batch 32 and 256:
 *
 *     npm run bench:data-parallel [-- rounds]
 *
 * Both runs are pinned to cores 0-1 when taskset exists (one thread uses one of them). The machine is shared,
 * so the benchmark runs `rounds` (default 3) rounds in alternating order and compares the medians.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Adam, createNetwork, mseLoss, type Network, type NetworkSpec, Rng } from "../src/model/index.ts";
import { shardedNetwork, startShardThreads } from "../src/train/sharded-network.ts";

const SPECS: NetworkSpec[] = [
  {
    architecture: "cnn_lstm",
    windowSize: 14,
    horizon: 14,
    convChannels: 32,
    kernelSize: 3,
    lstmHidden: 64,
    lstmLayers: 1,
    highway: true,
  },
  {
    architecture: "transformer",
    windowSize: 14,
    horizon: 14,
    dModel: 32,
    heads: 4,
    ffn: 64,
    layers: 2,
    highway: true,
  },
];
const BATCHES = [32, 256];
const SAMPLES = 16384;
const WARMUP_SECONDS = 1;
const MEASURE_SECONDS = 4;
const CORES = "0,1";

/** Steady-state samples/s of Adam on random windows, with the batch on `threads` threads. */
function trainRate(spec: NetworkSpec, batch: number, threads: number): number {
  const rng = new Rng(0);
  const local = createNetwork(spec, rng);
  const count = local.params.reduce((n, p) => n + p.data.length, 0);
  const shards = threads > 1 ? startShardThreads(spec, count, batch, threads - 1) : null;
  try {
    const network: Network = shards ? shardedNetwork(local, shards) : local;
    const optimizer = new Adam(local.params, { lr: 1e-3 });
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
    const runFor = (seconds: number) => {
      const begin = performance.now();
      let steps = 0;
      while (performance.now() - begin < seconds * 1000) step(steps++);
      return (steps * batch) / ((performance.now() - begin) / 1000);
    };
    runFor(WARMUP_SECONDS);
    return runFor(MEASURE_SECONDS);
  } finally {
    shards?.close();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

function main(): void {
  const rounds = Number(process.argv[2] ?? 3);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error("rounds must be a positive integer");
  const rows: Record<string, string | number>[] = [];
  for (const spec of SPECS) {
    for (const batch of BATCHES) {
      const rates: Record<number, number[]> = { 1: [], 2: [] };
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? [1, 2] : [2, 1];
        for (const threads of order) rates[threads].push(trainRate(spec, batch, threads));
      }
      const one = median(rates[1]);
      const two = median(rates[2]);
      const row = {
        architecture: spec.architecture,
        batch,
        "1 thread samples/s": Math.round(one),
        "2 threads samples/s": Math.round(two),
        speedup: Number((two / one).toFixed(2)),
      };
      console.log(
        JSON.stringify({ ...row, rounds: { 1: rates[1].map(Math.round), 2: rates[2].map(Math.round) } }),
      );
      rows.push(row);
    }
  }
  console.table(rows);
}

/** Re-runs itself under taskset on cores 0-1 when it can, so both variants get the same two cores. */
function pinned(): boolean {
  if (process.env.SALESCAST_BENCH_PINNED === "1") return false;
  const taskset = spawnSync("taskset", ["--version"]);
  if (taskset.status !== 0) return false;
  const run = spawnSync(
    "taskset",
    [
      "-c",
      CORES,
      process.execPath,
      ...process.execArgv,
      fileURLToPath(import.meta.url),
      ...process.argv.slice(2),
    ],
    { stdio: "inherit", env: { ...process.env, SALESCAST_BENCH_PINNED: "1" } },
  );
  process.exitCode = run.status ?? 1;
  return true;
}

if (!pinned()) main();
