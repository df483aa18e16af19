/**
 * Overload: `POST /api/predict` under 2,000 connections, the server pinned to one core and wrk on the other
 * (`wrk -t1 -c2000 -d10s --timeout 5s`, after a warm-up), then the bare Fastify route with the same body schema
 * under the same load. Prints for each: requests/s answered, accepted (200) requests/s, shed (503) count, socket
 * errors and timeouts, RSS before the load and its peak during it and the longest accept queue of the listening
 * socket (connections the kernel holds that the server has not taken yet; both sampled every 50 ms), p99 of all
 * answers from wrk; and the p99 of accepted requests as a
 * probe sees them (a few keep-alive connections from this process, on wrk's core, timing each 200 it gets).
 * Then, for salescast: whether it serves normally right after (200 requests one at a time), and how long a
 * promotion made by another process takes to serve (registry polling). `npm run bench:overload [overrides...]`
 * (overrides such as server.max_pending=512 go to salescast serve).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { Type } from "@fastify/type-provider-typebox";
import { DEFAULT_CONFIG_PATH, loadConfig } from "../src/config/index.ts";
import { Registry } from "../src/registry/index.ts";
import { createBaseApp } from "../src/server/base-app.ts";
import { closeOnSignals } from "../src/server/lifecycle.ts";
import { PredictBody } from "../src/server/schemas.ts";
import { silentProgress } from "../src/train/index.ts";
import { trainAndRegister } from "../src/train/register.ts";
import { canPin, onCore, waitUntilUp } from "./server-process.ts";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const LUA_SCRIPT = fileURLToPath(new URL("../../shared/reference/predict.lua", import.meta.url));
const WORK = join(tmpdir(), "salescast-bench-overload");
const ARTIFACTS = join(WORK, "artifacts");
const REGISTRY = join(WORK, "registry.db");
const SERVER_CORE = "1";
const LOAD_CORE = "0";
const CONNECTIONS = 2000;
const WARMUP_SECONDS = 3;
const MEASURE_SECONDS = 10;
const PROBE_CONNECTIONS = 4;
const PORTS = { salescast: 18011, bare: 18012 };
// as `npm start` passes them (see bench/serve.ts)
const NODE_FLAGS = ["--max-semi-space-size=2"];
const BODY = JSON.stringify({ series: [100, 120, 90, 110, 130, 95, 105, 115, 125, 85, 100, 140, 120, 110] });
const MODEL_OVERRIDES = [
  "data.window_size=14",
  "data.horizon=1",
  "model.conv_channels=32",
  "model.kernel_size=3",
  "model.lstm_hidden=64",
  "model.lstm_layers=1",
  "train.scope=global",
  "train.max_epochs=3",
  "registry.promotion=manual",
];
const PATHS = [
  `paths.artifacts=${JSON.stringify(ARTIFACTS)}`,
  `registry.path=${JSON.stringify(REGISTRY)}`,
  `data.csv_path=${JSON.stringify(join(REPO, "data/sales_data.csv"))}`,
];

interface WrkResult {
  requestsPerSecond: number;
  requests: number;
  non2xx: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  p99Ms: number;
}

interface Measured extends WrkResult {
  server: string;
  acceptedPerSecond: number;
  probeAcceptedP99Ms: number;
  probeAccepted: number;
  probeShed: number;
  idleRssMiB: number;
  peakRssMiB: number;
  /** The most connections seen waiting to be accepted at once. */
  peakAcceptQueue: number;
}

/** The bare route: the same body schema and a constant answer, what Fastify alone costs. */
async function runBareServer(port: number): Promise<void> {
  const app = createBaseApp({ bodyLimit: 1 << 20 });
  app.get("/api/health", async () => ({ status: "ok" }));
  app.post(
    "/api/predict",
    { schema: { body: PredictBody, response: { 200: Type.Object({ predicted_sales: Type.Number() }) } } },
    async () => ({ predicted_sales: 0 }),
  );
  closeOnSignals(app);
  // the same backlog as salescast's default (server.listen_backlog), so both take the burst of connects alike
  await app.listen({ host: "127.0.0.1", port, backlog: 4096 });
}

/** Two versions of the original's sizes, v1 in production; trained once, reused by later runs. */
async function ensureModels(): Promise<number[]> {
  const config = loadConfig(join(REPO, DEFAULT_CONFIG_PATH), [...PATHS, ...MODEL_OVERRIDES], {});
  const registry = await Registry.open(config.registry);
  try {
    let versions = (await registry.list()).filter((model) => model.name === "global");
    for (let seed = versions.length; seed < 2; seed++) {
      await trainAndRegister(
        { ...config, train: { ...config.train, seed: seed + 1 } },
        { registry, progress: silentProgress },
      );
    }
    versions = (await registry.list()).filter((model) => model.name === "global");
    await registry.promote(versions[0].id);
    return versions.slice(0, 2).map((model) => model.id);
  } finally {
    await registry.close();
  }
}

const MS_PER_UNIT: Record<string, number> = { us: 0.001, ms: 1, s: 1000 };

function parseWrk(output: string): WrkResult {
  const number = (pattern: RegExp) => Number(pattern.exec(output)?.[1] ?? 0);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s)\s*$/m.exec(output);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const [connect, read, write, timeout] = socket ? socket.slice(1).map(Number) : [0, 0, 0, 0];
  return {
    requestsPerSecond: number(/Requests\/sec:\s+([\d.]+)/),
    requests: number(/(\d+) requests in/),
    non2xx: number(/Non-2xx or 3xx responses: (\d+)/),
    socketErrors: { connect, read, write, timeout },
    p99Ms: p99 ? Number(p99[1]) * MS_PER_UNIT[p99[2]] : Number.NaN,
  };
}

/** wrk in a child on the load core, without blocking this process (the probe runs meanwhile). */
function runWrk(port: number, seconds: number): Promise<WrkResult> {
  const args = [
    "-t1",
    `-c${CONNECTIONS}`,
    `-d${seconds}s`,
    "--timeout",
    "5s",
    "-s",
    LUA_SCRIPT,
    "--latency",
    `http://127.0.0.1:${port}/api/predict`,
  ];
  const [command, argv] = onCore(LOAD_CORE, "wrk", args);
  const child = spawn(command, argv, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk) => {
    out += chunk;
  });
  child.stderr.on("data", (chunk) => {
    err += chunk;
  });
  return new Promise((resolve, reject) =>
    child.once("exit", (code) => (code === 0 ? resolve(parseWrk(out)) : reject(new Error(`wrk: ${err}`)))),
  );
}

/** One POST /api/predict over `agent`: its status and the milliseconds it took. */
function predictOnce(port: number, agent: Agent): Promise<{ status: number; ms: number; body: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: "/api/predict",
        method: "POST",
        agent,
        headers: { "content-type": "application/json" },
      },
      (res) => {
        let body = "";
        res.on("data", (chunk) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, body }));
      },
    );
    req.on("error", reject);
    req.end(BODY);
  });
}

/** Requests from a few keep-alive connections until `stop`, timing each accepted one. */
async function probe(port: number, stop: Promise<unknown>) {
  const agent = new Agent({ keepAlive: true, maxSockets: PROBE_CONNECTIONS });
  const accepted: number[] = [];
  let shed = 0;
  let errors = 0;
  let done = false;
  stop.then(() => {
    done = true;
  });
  await Promise.all(
    Array.from({ length: PROBE_CONNECTIONS }, async () => {
      while (!done) {
        try {
          const { status, ms } = await predictOnce(port, agent);
          if (status === 200) accepted.push(ms);
          else shed++;
        } catch {
          errors++;
        }
      }
    }),
  );
  agent.destroy();
  return { accepted, shed, errors };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
};

function rssMiB(pid: number, field: "VmRSS" | "VmHWM" = "VmRSS"): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/**
 * Connections waiting in the accept queue of the socket listening on `port` (IPv4 loopback): the kernel has
 * finished their handshakes and holds their requests, the server has not taken them yet. /proc/net/tcp gives a
 * listening socket's (state 0A) queue as its rx_queue.
 */
function acceptQueue(port: number): number {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n")) {
    const [, address, , state, queues] = line.trim().split(/\s+/);
    if (address === local && state === "0A") return Number.parseInt(queues.split(":")[1], 16);
  }
  return Number.NaN;
}

/**
 * Every 50 ms until `stop`: the highest RSS (the load's peak, apart from the start's: VmHWM has both) and the
 * longest accept queue.
 */
async function peaksDuring(
  pid: number,
  port: number,
  stop: Promise<unknown>,
): Promise<{ rssMiB: number; acceptQueue: number }> {
  const peak = { rssMiB: 0, acceptQueue: 0 };
  let done = false;
  stop.then(() => {
    done = true;
  });
  while (!done) {
    peak.rssMiB = Math.max(peak.rssMiB, rssMiB(pid));
    peak.acceptQueue = Math.max(peak.acceptQueue, acceptQueue(port));
    await sleep(50);
  }
  return peak;
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

async function measure(server: string, port: number, args: string[], after?: () => Promise<void>) {
  const [command, argv] = onCore(SERVER_CORE, process.execPath, [...NODE_FLAGS, "--import", "tsx", ...args]);
  const child = spawn(command, argv, { cwd: REPO, stdio: ["ignore", "ignore", "inherit"] });
  try {
    await waitUntilUp(port, child);
    const idleRssMiB = rssMiB(child.pid as number);
    await runWrk(port, WARMUP_SECONDS);
    const load = runWrk(port, MEASURE_SECONDS);
    const [probed, peaks] = await Promise.all([
      probe(port, load),
      peaksDuring(child.pid as number, port, load),
    ]);
    const wrk = await load;
    const measured: Measured = {
      server,
      ...wrk,
      acceptedPerSecond: (wrk.requests - wrk.non2xx) / MEASURE_SECONDS,
      probeAcceptedP99Ms: percentile(probed.accepted, 0.99),
      probeAccepted: probed.accepted.length,
      probeShed: probed.shed,
      idleRssMiB,
      peakRssMiB: peaks.rssMiB,
      peakAcceptQueue: peaks.acceptQueue,
    };
    console.log(JSON.stringify({ what: "overload", ...measured }));
    await after?.();
    return measured;
  } finally {
    await stop(child);
  }
}

/** Right after the load: 200 requests one at a time must all be answered 200. */
async function servesNormally(port: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  let failed = 0;
  for (let i = 0; i < 200; i++) {
    const { status, ms } = await predictOnce(port, agent);
    if (status === 200) times.push(ms);
    else failed++;
  }
  agent.destroy();
  console.log(
    JSON.stringify({
      what: "after_overload",
      requests: 200,
      failed,
      p99Ms: Number(percentile(times, 0.99).toFixed(2)),
    }),
  );
}

/** A promotion made by another process (this one, on the registry file): ms until the server answers with it. */
async function promotionPropagation(port: number, ids: number[]): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const registry = await Registry.open({ path: REGISTRY, promotion: "manual" });
  const servedId = async () => JSON.parse((await predictOnce(port, agent)).body).model.id as number;
  try {
    const target = (await servedId()) === ids[0] ? ids[1] : ids[0];
    const started = performance.now();
    await registry.promote(target);
    while ((await servedId()) !== target) await sleep(5);
    const ms = performance.now() - started;
    console.log(JSON.stringify({ what: "promotion_propagation", ms: Number(ms.toFixed(0)), poll_ms: 1000 }));
    await registry.promote(ids[0]);
  } finally {
    await registry.close();
    agent.destroy();
  }
}

async function main(): Promise<void> {
  if (spawnSync("wrk", ["--version"]).error) throw new Error("wrk is not installed (apt-get install -y wrk)");
  if (!canPin) console.error("taskset is missing: the servers, wrk and the probe run unpinned");
  // The probe shares wrk's core, so the server's core is its own.
  if (canPin) spawnSync("taskset", ["-p", "-c", LOAD_CORE, String(process.pid)], { stdio: "ignore" });
  const ids = await ensureModels();
  const cli = join(REPO, "src/cli.ts");
  const results = [
    await measure(
      "salescast",
      PORTS.salescast,
      [
        cli,
        "serve",
        "--port",
        String(PORTS.salescast),
        "--log-level",
        "warn",
        ...PATHS,
        ...process.argv.slice(2),
      ],
      async () => {
        await servesNormally(PORTS.salescast);
        await promotionPropagation(PORTS.salescast, ids);
      },
    ),
    await measure("bare Fastify", PORTS.bare, [
      fileURLToPath(import.meta.url),
      "--bare-server",
      String(PORTS.bare),
    ]),
  ];
  console.log(
    `\nPOST /api/predict, server on core ${SERVER_CORE}, wrk -t1 -c${CONNECTIONS} -d${MEASURE_SECONDS}s --timeout 5s and a ${PROBE_CONNECTIONS}-connection probe on core ${LOAD_CORE}`,
  );
  console.log(
    "server          answered/s  accepted/s   shed (503)  socket errors (timeouts)  p99 all ms  p99 accepted ms  RSS idle/peak MiB  accept queue peak",
  );
  for (const r of results) {
    const errors =
      r.socketErrors.connect + r.socketErrors.read + r.socketErrors.write + r.socketErrors.timeout;
    console.log(
      [
        r.server.padEnd(14),
        Math.round(r.requestsPerSecond).toLocaleString("en-US").padStart(11),
        Math.round(r.acceptedPerSecond).toLocaleString("en-US").padStart(11),
        String(r.non2xx).padStart(12),
        `${errors} (${r.socketErrors.timeout})`.padStart(25),
        r.p99Ms.toFixed(1).padStart(11),
        r.probeAcceptedP99Ms.toFixed(1).padStart(16),
        `${r.idleRssMiB.toFixed(0)}/${r.peakRssMiB.toFixed(0)}`.padStart(18),
        String(r.peakAcceptQueue).padStart(18),
      ].join(" "),
    );
  }
  const [ours] = results;
  const verdict = (ok: boolean) => (ok ? "met" : "MISSED");
  console.log(
    `\nsalescast: accepted p99 ${ours.probeAcceptedP99Ms.toFixed(1)} ms (target <= 100: ${verdict(ours.probeAcceptedP99Ms <= 100)}), ` +
      `peak RSS ${ours.peakRssMiB.toFixed(0)} MiB (target < 250: ${verdict(ours.peakRssMiB < 250)}), ` +
      `socket timeouts ${ours.socketErrors.timeout} (target 0: ${verdict(ours.socketErrors.timeout === 0)})`,
  );
}

if (process.argv[2] === "--bare-server") await runBareServer(Number(process.argv[3]));
else await main();
