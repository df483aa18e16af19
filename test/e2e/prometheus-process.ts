import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { captureOutput, freePort, stopProcess, waitFor } from "./processes.ts";

const DEPLOY_CONFIG = "deploy/prometheus.yml";
const JOB = "salescast";

export interface PrometheusProcess {
  url: string;
  /** The `data.result` of an instant query through the HTTP API. */
  query(expr: string): Promise<PrometheusSample[]>;
  output(): string;
  stop(): Promise<void>;
}

export interface PrometheusSample {
  metric: Record<string, string>;
  value: [number, string];
}

interface ScrapeConfig {
  job_name: string;
  static_configs: { targets: string[] }[];
}

/**
 * deploy/prometheus.yml as shipped, but scraping every second and pointed at `target` instead of the compose
 * network's salescast:8000: the test exercises the real scrape job (path, job name), not a copy of it.
 */
function loopbackConfig(target: string): string {
  const config = parse(readFileSync(DEPLOY_CONFIG, "utf8")) as {
    global: Record<string, string>;
    scrape_configs: ScrapeConfig[];
  };
  const job = config.scrape_configs.find((c) => c.job_name === JOB);
  if (!job) throw new Error(`${DEPLOY_CONFIG} has no scrape job named ${JOB}`);
  job.static_configs = [{ targets: [target] }];
  config.global = { ...config.global, scrape_interval: "1s", evaluation_interval: "1s" };
  return stringify(config);
}

export async function startPrometheus(binary: string, salescastPort: number): Promise<PrometheusProcess> {
  const folder = mkdtempSync(join(tmpdir(), "salescast-prometheus-"));
  const configFile = join(folder, "prometheus.yml");
  writeFileSync(configFile, loopbackConfig(`127.0.0.1:${salescastPort}`));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(folder, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const log = captureOutput(child);
  const prometheus: PrometheusProcess = {
    url,
    async query(expr) {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await response.json()) as {
        status: string;
        error?: string;
        data: { result: PrometheusSample[] };
      };
      if (body.status !== "success") throw new Error(`query ${expr} failed: ${body.error}`);
      return body.data.result;
    },
    output: log.text,
    stop: () => stopProcess(child),
  };

  try {
    await waitFor(
      "Prometheus to be ready",
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited with code ${child.exitCode}`);
        const ready = await fetch(`${url}/-/ready`).catch(() => undefined);
        return ready?.ok ? true : undefined;
      },
      { timeoutMs: 30_000 },
    );
  } catch (error) {
    await prometheus.stop();
    throw new Error(`${(error as Error).message}; prometheus output:\n${log.text()}`);
  }
  return prometheus;
}
