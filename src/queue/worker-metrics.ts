import { createServer, type Server } from "node:http";
import { Counter, Gauge, Histogram } from "prom-client";
import { processMetricsRegistry } from "../server/metrics.ts";

/** The queue's job states a worker reports at each scrape. */
export const QUEUE_STATES = ["waiting", "active", "delayed", "failed"] as const;

// A unit of a few series takes seconds; of many long series with networks, up to an hour.
const UNIT_DURATION_BUCKETS = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

export interface WorkerMetrics {
  /** Counts a unit that ended and, when it succeeded, observes how long it took. */
  recordUnit(outcome: "succeeded" | "failed", seconds: number): void;
  /** Starts answering GET /metrics on the port (0: any free one); resolves with the port. */
  listen(host: string, port: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * A worker's Prometheus metrics: its units by outcome and their durations, and the queue's depth by state
 * (read from Redis at each scrape, so any worker shows the whole queue's), beside the process defaults.
 */
export function createWorkerMetrics(readCounts: () => Promise<Record<string, number>>): WorkerMetrics {
  const registry = processMetricsRegistry();
  const registers = [registry];
  const units = new Counter({
    name: "salescast_worker_units_total",
    help: "Work units this worker finished, by outcome (succeeded, or failed: an attempt that threw).",
    labelNames: ["outcome"] as const,
    registers,
  });
  const duration = new Histogram({
    name: "salescast_worker_unit_duration_seconds",
    help: "Wall time of a work unit this worker completed.",
    buckets: UNIT_DURATION_BUCKETS,
    registers,
  });
  for (const outcome of ["succeeded", "failed"]) units.inc({ outcome }, 0);
  new Gauge({
    name: "salescast_queue_jobs",
    help: "Work units in the queue, by state (waiting, active, delayed for a retry, failed for good).",
    labelNames: ["state"] as const,
    registers,
    async collect() {
      const counts = await readCounts();
      for (const state of QUEUE_STATES) this.set({ state }, counts[state] ?? 0);
    },
  });
  let server: Server | undefined;
  return {
    recordUnit(outcome, seconds) {
      units.inc({ outcome });
      if (outcome === "succeeded") duration.observe(seconds);
    },
    listen(host, port) {
      server = createServer((request, response) => {
        if (request.method !== "GET" || request.url !== "/metrics") {
          response.writeHead(404).end();
          return;
        }
        registry.metrics().then(
          (text) => response.writeHead(200, { "content-type": registry.contentType }).end(text),
          (error: Error) => response.writeHead(500, { "content-type": "text/plain" }).end(error.message),
        );
      });
      const listening = server;
      return new Promise((resolve, reject) => {
        listening.once("error", reject);
        listening.listen(port, host, () => resolve((listening.address() as { port: number }).port));
      });
    },
    close() {
      return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}
