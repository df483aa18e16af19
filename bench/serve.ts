/**
 * Serving throughput of `POST /api/predict` (window 14, conv 32x3, LSTM 64, horizon 1, with the default highway), each server pinned to
 * one core and loaded by wrk from the other (32 connections, 10 s, after a warm-up): salescast, then in the
 * same run the FastAPI + PyTorch reference of ../shared/reference (when python3 has torch, fastapi and
 * uvicorn), then a bare Fastify route with the same body schema and no model, the ceiling. Prints requests/s,
 * p50, p99, errors, the server's RSS after the load, and the ratios. Then the cost of intervals: one salescast
 * server loaded in turns with the reference's body (the default levels, 80 and 95) and with `"level": []`,
 * three times each, medians compared. Last, the architectures: a model of the network member alone as the CNN-LSTM and
 * as the Transformer (model.transformer's sizes), both served at once and loaded in alternating turns, three
 * each, medians compared; and the same for the linear member alone on seeded weekly sales, without features
 * and with a covariates file and US holidays (bench/covariate-data.ts). `npm run bench:serve`.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Type } from "@fastify/type-provider-typebox";
import { DEFAULT_CONFIG_PATH, loadConfig } from "../src/config/index.ts";
import { Registry } from "../src/registry/index.ts";
import { createBaseApp } from "../src/server/base-app.ts";
import { closeOnSignals } from "../src/server/lifecycle.ts";
import { PredictBody } from "../src/server/schemas.ts";
import { silentProgress } from "../src/train/index.ts";
import { trainAndRegister } from "../src/train/register.ts";
import { writeCovariateData } from "./covariate-data.ts";
import { canPin, onCore, waitUntilUp } from "./server-process.ts";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const REFERENCE_DIR = fileURLToPath(new URL("../../shared/reference", import.meta.url));
const LUA_SCRIPT = join(REFERENCE_DIR, "predict.lua");
const NO_INTERVALS_SCRIPT = fileURLToPath(new URL("./predict-no-intervals.lua", import.meta.url));
const BENCH_ROOT = join(tmpdir(), "salescast-bench-serve");
const SERVER_ENTRY = join(REPO, "src/cli.ts");
const PYTHON = "/usr/bin/python3";
const SERVER_CORE = "1";
const LOAD_CORE = "0";
const CONNECTIONS = 32;
const WARMUP_SECONDS = 3;
const MEASURE_SECONDS = 10;
// Turns with and without intervals: an odd count, so each median is one run, not the mean of two.
const INTERVAL_ROUNDS = 3;
const PORTS = {
  salescast: 18001,
  reference: 18000,
  bare: 18002,
  cnnLstm: 18003,
  transformer: 18004,
  plain: 18005,
  features: 18006,
  networkPlain: 18007,
  networkFeatures: 18008,
};
/**
 * V8 flags for both Node servers, as `npm start` passes them: a 2 MiB young-generation semispace (default
 * 16 MiB) kept the server's RSS lower here. At 1 MiB, answers with intervals ran about 25% slower than without
 * (17,900 against 23,000 req/s on one core): the objects of the requests in flight outlived the small
 * scavenges and were promoted; at 2 MiB both ran at about 26,500.
 */
const NODE_FLAGS = ["--max-semi-space-size=2"];
// The original's sizes, whatever config.yaml says today.
const WINDOW = 14;
const HORIZON = 1;
const MODEL_OVERRIDES = [
  `data.window_size=${WINDOW}`,
  `data.horizon=${HORIZON}`,
  "model.conv_channels=32",
  "model.kernel_size=3",
  "model.lstm_hidden=64",
  "model.lstm_layers=1",
  "train.scope=global",
  "train.max_epochs=3",
];
// The network member alone serves the window routes, so the architectures' own costs are compared.
const NETWORK_ONLY = ["model.members=[network]"];
const SIDE_BY_SIDE_ROUNDS = 3;

/** A model the bench trains into folders of its own, then serves from its registry. */
interface BenchModel {
  name: string;
  overrides: string[];
}

const MODELS = {
  salescast: { name: "default-members", overrides: MODEL_OVERRIDES },
  cnnLstm: { name: "cnn-lstm-alone", overrides: [...MODEL_OVERRIDES, ...NETWORK_ONLY] },
  transformer: {
    name: "transformer-alone",
    overrides: [...MODEL_OVERRIDES, ...NETWORK_ONLY, "model.architecture=transformer"],
  },
} satisfies Record<string, BenchModel>;

function pathOverrides(model: BenchModel): string[] {
  return [
    `paths.artifacts=${JSON.stringify(join(BENCH_ROOT, model.name, "artifacts"))}`,
    `registry.path=${JSON.stringify(join(BENCH_ROOT, model.name, "registry.db"))}`,
  ];
}

interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
}

interface Measured extends LoadResult {
  server: string;
  rssMiB: number;
}

/** The POST /api/predict route with the same body schema and a constant answer: what Fastify alone costs. */
async function runBareServer(port: number): Promise<void> {
  const app = createBaseApp({ bodyLimit: 1 << 20 });
  app.get("/api/health", async () => ({ status: "ok" }));
  app.post(
    "/api/predict",
    { schema: { body: PredictBody, response: { 200: Type.Object({ predicted_sales: Type.Number() }) } } },
    async () => ({ predicted_sales: 0 }),
  );
  closeOnSignals(app);
  await app.listen({ host: "127.0.0.1", port });
}

/**
 * Trains and registers a benchmark model. Every run trains afresh (main clears the bench folder first), so
 * what is served is what today's code trains and exports, never a model left by an older version.
 */
async function trainModel(model: BenchModel): Promise<void> {
  const paths = [
    ...pathOverrides(model),
    `data.csv_path=${JSON.stringify(join(REPO, "data/sales_data.csv"))}`,
  ];
  const config = loadConfig(join(REPO, DEFAULT_CONFIG_PATH), [...paths, ...model.overrides], {});
  const registry = await Registry.open(config.registry);
  try {
    const result = await trainAndRegister(config, { registry, progress: silentProgress });
    const { folder, meta } = result.models[0].artifact;
    const columns = meta.spec.featureColumns;
    const reads = Array.isArray(columns)
      ? `, its network reading feature columns [${columns.join(", ")}]`
      : "";
    console.error(`trained and registered ${folder} (${meta.spec.architecture}${reads})`);
  } finally {
    await registry.close();
  }
}

function start(command: string, args: string[]): ChildProcess {
  return spawn(command, args, { cwd: REPO, stdio: ["ignore", "ignore", "inherit"] });
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill("SIGTERM");
  return exited;
}

const MS_PER_UNIT: Record<string, number> = { us: 0.001, ms: 1, s: 1000 };

function parseWrk(output: string): LoadResult {
  const number = (pattern: RegExp) => Number(pattern.exec(output)?.[1] ?? Number.NaN);
  const latency = (percent: string) => {
    const match = new RegExp(`^\\s+${percent}%\\s+([\\d.]+)(us|ms|s)\\s*$`, "m").exec(output);
    return match ? Number(match[1]) * MS_PER_UNIT[match[2]] : Number.NaN;
  };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  return {
    requestsPerSecond: number(/Requests\/sec:\s+([\d.]+)/),
    p50Ms: latency("50"),
    p99Ms: latency("99"),
    requests: number(/(\d+) requests in/),
    errors: socketErrors + (non2xx ? Number(non2xx[1]) : 0),
  };
}

function runWrk(port: number, seconds: number, script = LUA_SCRIPT): LoadResult {
  const args = [
    "-t1",
    `-c${CONNECTIONS}`,
    `-d${seconds}s`,
    "-s",
    script,
    "--latency",
    `http://127.0.0.1:${port}/api/predict`,
  ];
  const [command, argv] = onCore(LOAD_CORE, "wrk", args);
  const run = spawnSync(command, argv, { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`wrk failed: ${run.stderr}`);
  return parseWrk(run.stdout);
}

function rssMiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

async function measure(server: string, port: number, command: string, args: string[]): Promise<Measured> {
  const [cmd, argv] = onCore(SERVER_CORE, command, args);
  const child = start(cmd, argv);
  try {
    await waitUntilUp(port, child);
    runWrk(port, WARMUP_SECONDS);
    const result = runWrk(port, MEASURE_SECONDS);
    const measured = { server, ...result, rssMiB: rssMiB(child.pid as number) };
    const round = (value: number, digits: number) => Number(value.toFixed(digits));
    console.log(
      JSON.stringify({
        what: "serve_predict",
        ...measured,
        requestsPerSecond: round(measured.requestsPerSecond, 0),
        p50Ms: round(measured.p50Ms, 3),
        p99Ms: round(measured.p99Ms, 3),
        rssMiB: round(measured.rssMiB, 1),
      }),
    );
    return measured;
  } finally {
    const code = await stop(child);
    if (code !== 0) console.error(`${server} exited with ${code} on SIGTERM`);
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** One salescast server loaded in turns with and without intervals; their medians' ratio. */
async function measureIntervalCost(args: string[]): Promise<void> {
  const [cmd, argv] = onCore(SERVER_CORE, process.execPath, args);
  const child = start(cmd, argv);
  try {
    await waitUntilUp(PORTS.salescast, child);
    const probe = await fetch(`http://127.0.0.1:${PORTS.salescast}/api/predict`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ series: [100, 120, 90, 110, 130, 95, 105, 115, 125, 85, 100, 140, 120, 110] }),
    });
    const body = (await probe.json()) as { intervals?: unknown };
    if (body.intervals === undefined) throw new Error("the served model answers without intervals");
    runWrk(PORTS.salescast, WARMUP_SECONDS);
    const runs = { with: [] as LoadResult[], without: [] as LoadResult[] };
    // Each round swaps which goes first, so a drift over the run does not favour one of the two.
    for (let round = 0; round < INTERVAL_ROUNDS; round++) {
      const turns = [
        () => runs.with.push(runWrk(PORTS.salescast, MEASURE_SECONDS)),
        () => runs.without.push(runWrk(PORTS.salescast, MEASURE_SECONDS, NO_INTERVALS_SCRIPT)),
      ];
      for (const turn of round % 2 === 0 ? turns : turns.reverse()) turn();
    }
    const rps = (list: LoadResult[]) => median(list.map((r) => r.requestsPerSecond));
    const [withIntervals, without] = [rps(runs.with), rps(runs.without)];
    const ratio = withIntervals / without;
    console.log(
      JSON.stringify({
        what: "serve_interval_cost",
        with_intervals: runs.with.map((r) => Math.round(r.requestsPerSecond)),
        without_intervals: runs.without.map((r) => Math.round(r.requestsPerSecond)),
        errors: [...runs.with, ...runs.without].reduce((sum, r) => sum + r.errors, 0),
        ratio: Number(ratio.toFixed(3)),
      }),
    );
    console.log(
      `\nintervals (80, 95) on: median ${Math.round(withIntervals)} req/s, off: ${Math.round(without)} req/s, ` +
        `ratio ${ratio.toFixed(3)} (target >= 0.9: ${ratio >= 0.9 ? "met" : "MISSED"})`,
    );
  } finally {
    await stop(child);
  }
}

function referenceUnavailable(): string | undefined {
  const check = spawnSync(PYTHON, ["-c", "import torch, fastapi, uvicorn"]);
  return check.status === 0 ? undefined : `${PYTHON} lacks torch, fastapi or uvicorn`;
}

async function main(): Promise<void> {
  if (spawnSync("wrk", ["--version"]).error) throw new Error("wrk is not installed (apt-get install wrk)");
  if (!canPin) console.error("taskset is missing: the servers and wrk run unpinned");
  rmSync(BENCH_ROOT, { recursive: true, force: true });
  for (const model of Object.values(MODELS)) await trainModel(model);
  const node = process.execPath;
  const results: Measured[] = [];
  const salescastArgs = serverArgs(MODELS.salescast, PORTS.salescast);
  results.push(await measure("salescast", PORTS.salescast, node, salescastArgs));
  const missing = referenceUnavailable();
  if (missing) {
    console.log(JSON.stringify({ what: "fastapi_reference", skipped: missing }));
  } else {
    results.push(
      await measure("FastAPI reference", PORTS.reference, PYTHON, [
        "-m",
        "uvicorn",
        "fastapi_reference:app",
        "--app-dir",
        REFERENCE_DIR,
        "--host",
        "127.0.0.1",
        "--port",
        String(PORTS.reference),
        "--log-level",
        "warning",
      ]),
    );
  }
  results.push(
    await measure("bare Fastify", PORTS.bare, node, [
      ...NODE_FLAGS,
      "--import",
      "tsx",
      fileURLToPath(import.meta.url),
      "--bare-server",
      String(PORTS.bare),
    ]),
  );
  report(results);
  await measureIntervalCost(salescastArgs);
  await measureArchitectures();
  await measureCovariates();
}

function serverArgs(model: BenchModel, port: number): string[] {
  return [
    ...NODE_FLAGS,
    "--import",
    "tsx",
    SERVER_ENTRY,
    "serve",
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "--log-level",
    "warn",
    ...pathOverrides(model),
  ];
}

/** The architecture of the version a server serves, from its models listing. */
async function servedArchitecture(port: number): Promise<string> {
  const answer = await fetch(`http://127.0.0.1:${port}/api/models`);
  const body = (await answer.json()) as { models?: { serving: boolean; architecture: string }[] };
  const serving = body.models?.find((model) => model.serving);
  if (!answer.ok || serving === undefined) {
    throw new Error(`the server on port ${port} lists no serving version: ${JSON.stringify(body)}`);
  }
  return serving.architecture;
}

/** A server of a side-by-side comparison: its model, and the wrk script of its requests. */
interface SideServer {
  key: string;
  port: number;
  model: BenchModel;
  script: string;
  /** Throws unless the server serves what the comparison means it to. */
  check?: (port: number) => Promise<void>;
}

/**
 * Two servers up at once on the server core, loaded in alternating turns (the order swapped each round), and
 * the ratio of the second's median requests/s to the first's against the target.
 */
async function measureSideBySide(
  what: string,
  servers: [SideServer, SideServer],
  target: number,
): Promise<void> {
  const children = servers.map(({ model, port }) => {
    const [cmd, argv] = onCore(SERVER_CORE, process.execPath, serverArgs(model, port));
    return start(cmd, argv);
  });
  try {
    const runs = new Map<string, LoadResult[]>(servers.map(({ key }) => [key, []]));
    for (const [index, server] of servers.entries()) {
      await waitUntilUp(server.port, children[index]);
      await server.check?.(server.port);
      const answer = runWrk(server.port, WARMUP_SECONDS, server.script);
      if (answer.errors > 0) throw new Error(`${server.key}: ${answer.errors} of its requests failed`);
    }
    for (let round = 0; round < SIDE_BY_SIDE_ROUNDS; round++) {
      const order = round % 2 === 0 ? servers : [...servers].reverse();
      for (const { key, port, script } of order) runs.get(key)?.push(runWrk(port, MEASURE_SECONDS, script));
    }
    const rps = (key: string) => (runs.get(key) ?? []).map((r) => r.requestsPerSecond);
    const [first, second] = servers.map(({ key }) => median(rps(key)));
    const ratio = second / first;
    console.log(
      JSON.stringify({
        what,
        ...Object.fromEntries(servers.map(({ key }) => [key, rps(key).map(Math.round)])),
        p99_ms: Object.fromEntries(
          servers.map(({ key }) => [key, (runs.get(key) ?? []).map((r) => r.p99Ms)]),
        ),
        errors: [...runs.values()].flat().reduce((sum, r) => sum + r.errors, 0),
        ratio: Number(ratio.toFixed(3)),
      }),
    );
    console.log(
      `\n${what}: ${servers[0].key} median ${Math.round(first)} req/s, ${servers[1].key} ${Math.round(second)} req/s, ` +
        `ratio ${ratio.toFixed(3)} (target >= ${target}: ${ratio >= target ? "met" : "MISSED"})`,
    );
  } finally {
    for (const child of children) await stop(child);
  }
}

async function expectArchitecture(port: number, architecture: string): Promise<void> {
  const served = await servedArchitecture(port);
  if (served !== architecture) throw new Error(`port ${port} serves ${served}, not ${architecture}`);
}

/** The CNN-LSTM and the Transformer, each the network member alone. */
function measureArchitectures(): Promise<void> {
  return measureSideBySide(
    "serve_architectures",
    [
      {
        key: "cnn_lstm",
        port: PORTS.cnnLstm,
        model: MODELS.cnnLstm,
        script: LUA_SCRIPT,
        check: (port) => expectArchitecture(port, "cnn_lstm"),
      },
      {
        key: "transformer",
        port: PORTS.transformer,
        model: MODELS.transformer,
        script: LUA_SCRIPT,
        check: (port) => expectArchitecture(port, "transformer"),
      },
    ],
    0.8,
  );
}

/**
 * The linear member alone, then the network alone, on weekly sales: each without features and with a
 * covariates file and US holidays.
 */
async function measureCovariates(): Promise<void> {
  const data = writeCovariateData(join(BENCH_ROOT, "covariate-data"), WINDOW, HORIZON);
  const script = (name: string, body: string) => {
    const file = join(BENCH_ROOT, `${name}.lua`);
    writeFileSync(
      file,
      `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = '${body}'\n`,
    );
    return file;
  };
  const plainScript = script("plain", data.plainBody);
  const featuresScript = script("features", data.featuresBody);
  const members = [
    { member: "linear", ports: { plain: PORTS.plain, features: PORTS.features } },
    { member: "network", ports: { plain: PORTS.networkPlain, features: PORTS.networkFeatures } },
  ];
  for (const { member, ports } of members) {
    const common = [
      ...MODEL_OVERRIDES,
      `model.members=[${member}]`,
      `data.csv_path=${JSON.stringify(data.sales)}`,
      "data.format=auto",
      "data.season=4",
      "data.normalization=series",
    ];
    const plain = { name: `${member}-plain`, overrides: common };
    const features = {
      name: `${member}-features`,
      overrides: [
        ...common,
        `data.covariates_path=${JSON.stringify(data.covariates)}`,
        "data.known_future=[promo]",
        "data.holidays={country: US}",
      ],
    };
    for (const model of [plain, features]) await trainModel(model);
    await measureSideBySide(
      `serve_covariates_${member}`,
      [
        { key: "without_features", port: ports.plain, model: plain, script: plainScript },
        { key: "with_covariates", port: ports.features, model: features, script: featuresScript },
      ],
      0.8,
    );
  }
}

function report(results: Measured[]): void {
  const [ours] = results;
  const reference = results.find((r) => r.server === "FastAPI reference");
  const bare = results.find((r) => r.server === "bare Fastify") as Measured;
  console.log(
    `\nPOST /api/predict, server on core ${SERVER_CORE}, wrk -t1 -c${CONNECTIONS} -d${MEASURE_SECONDS}s on core ${LOAD_CORE}`,
  );
  console.log("server                  req/s    p50 ms    p99 ms   errors   RSS MiB");
  for (const r of results) {
    console.log(
      [
        r.server.padEnd(18),
        Math.round(r.requestsPerSecond).toLocaleString("en-US").padStart(11),
        r.p50Ms.toFixed(2).padStart(9),
        r.p99Ms.toFixed(2).padStart(9),
        String(r.errors).padStart(8),
        r.rssMiB.toFixed(0).padStart(9),
      ].join(" "),
    );
  }
  const ratios = {
    ours_over_reference: reference
      ? Number((ours.requestsPerSecond / reference.requestsPerSecond).toFixed(2))
      : null,
    ours_over_bare: Number((ours.requestsPerSecond / bare.requestsPerSecond).toFixed(3)),
  };
  console.log(JSON.stringify({ what: "serve_ratios", ...ratios }));
  const verdict = (ok: boolean) => (ok ? "met" : "MISSED");
  console.log(
    `\nratios: salescast/reference ${ratios.ours_over_reference ?? "-"}x (target >= 15: ${
      ratios.ours_over_reference === null ? "no reference" : verdict(ratios.ours_over_reference >= 15)
    }), salescast/bare ${ratios.ours_over_bare}`,
  );
  console.log(
    `salescast: p99 ${ours.p99Ms.toFixed(2)} ms (target <= 10: ${verdict(ours.p99Ms <= 10)}), ` +
      `errors ${ours.errors} (target 0: ${verdict(ours.errors === 0)}), ` +
      `RSS ${ours.rssMiB.toFixed(0)} MiB (target < 200: ${verdict(ours.rssMiB < 200)})`,
  );
}

if (process.argv[2] === "--bare-server") await runBareServer(Number(process.argv[3]));
else await main();
