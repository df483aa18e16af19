import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadConfig } from "../../src/config/index.ts";
import { checkAdminExposure, resolveAdminToken } from "../../src/server/index.ts";

const dockerfile = readFileSync("deploy/Dockerfile", "utf8");
const compose = parse(readFileSync("deploy/docker-compose.yml", "utf8"));

describe("the container", () => {
  it("binds every address and checks readiness, not liveness", () => {
    expect(dockerfile).toMatch(/^ENV .*\bHOST=0\.0\.0\.0\b/m);
    const healthcheck = dockerfile.slice(dockerfile.indexOf("HEALTHCHECK"));
    expect(healthcheck.split("\n").slice(0, 2).join("\n")).toContain(
      "http://127.0.0.1:8000/api/health/ready",
    );
  });

  it("runs node with the flags npm start gives it", () => {
    const start: string = JSON.parse(readFileSync("package.json", "utf8")).scripts.start;
    const flags = start.split(" ").filter((word) => word.startsWith("--max-"));
    expect(flags).toEqual(["--max-semi-space-size=2"]);
    expect(dockerfile).toMatch(new RegExp(`^ENV NODE_OPTIONS=${flags.join(" ")}$`, "m"));
  });

  it("gets its admin token as a compose secret, and compose waits for readiness", () => {
    const service = compose.services.salescast;
    expect(service.secrets).toEqual(["admin_token"]);
    expect(service.environment).toEqual({ SALESCAST_ADMIN_TOKEN_FILE: "/run/secrets/admin_token" });
    expect(compose.secrets.admin_token).toEqual({ file: "./admin_token" });
    expect(service.healthcheck.test.join(" ")).toContain("http://127.0.0.1:8000/api/health/ready");
    expect(compose.services.prometheus.depends_on.salescast).toEqual({ condition: "service_healthy" });
  });

  it("starts with that environment: HOST 0.0.0.0 and the token from the secret file", () => {
    const dir = mkdtempSync(join(tmpdir(), "salescast-secret-"));
    const secret = join(dir, "admin_token");
    writeFileSync(secret, "container-secret\n");
    try {
      const config = loadConfig("config/config.yaml", [], {
        HOST: "0.0.0.0",
        PORT: "8000",
        SALESCAST_ADMIN_TOKEN_FILE: secret,
      });
      const token = resolveAdminToken(config.server);
      expect(token).toBe("container-secret");
      expect(() => checkAdminExposure(config.server, token)).not.toThrow();
      expect(() => checkAdminExposure(config.server, "")).toThrow(/refusing to listen on 0\.0\.0\.0/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const CLUSTER_DIR = "deploy/cluster";
const clusterText = readFileSync(join(CLUSTER_DIR, "docker-compose.yml"), "utf8");
// The file shares the image and the environment through YAML anchors and merge keys, as compose reads them.
const cluster = parse(clusterText, { merge: true });
const clusterPrometheus = parse(readFileSync(join(CLUSTER_DIR, "prometheus.yml"), "utf8"));

/** Compose's `${NAME:?message}` interpolation, with the value a deployment's .env file would give. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::\?[^}]*)?\}/g, (_match, name: string) => {
    const set = vars[name];
    if (set === undefined) throw new Error(`no value for ${name}`);
    return set;
  });
}

describe("the cluster compose file", () => {
  it("runs Redis with an append-only file and no eviction, its data in a volume", () => {
    const redis = cluster.services.redis;
    const command = redis.command.join(" ");
    expect(command).toContain("--appendonly yes");
    expect(command).toContain("--maxmemory-policy noeviction");
    expect(redis.volumes).toEqual(["redis-data:/data"]);
    expect(Object.keys(cluster.volumes)).toContain("redis-data");
  });

  it("keeps PostgreSQL's data in a volume and takes its password from the environment, not the file", () => {
    const postgres = cluster.services.postgres;
    expect(postgres.volumes).toEqual(["postgres-data:/var/lib/postgresql/data"]);
    expect(postgres.environment.POSTGRES_PASSWORD).toMatch(/^\$\{SALESCAST_DB_PASSWORD:\?/);
  });

  it("gives the api and worker the environment salescast reads for its registry and queue", () => {
    const vars = { SALESCAST_DB_PASSWORD: "0123abcd" };
    for (const name of ["api", "worker"]) {
      const env = Object.fromEntries(
        Object.entries(cluster.services[name].environment as Record<string, string>).map(([key, value]) => [
          key,
          interpolate(value, vars),
        ]),
      );
      const config = loadConfig("config/config.yaml", [], env);
      expect(config.registry.url, name).toBe("postgres://salescast:0123abcd@postgres:5432/salescast");
      expect(config.queue.url, name).toBe("redis://redis:6379");
    }
    // The user and database in the URL are the ones the postgres service creates.
    const { POSTGRES_USER, POSTGRES_DB } = cluster.services.postgres.environment;
    expect([POSTGRES_USER, POSTGRES_DB]).toEqual(["salescast", "salescast"]);
  });

  it("runs two workers by default, whose metrics port Prometheus and the health check both ask", () => {
    const worker = cluster.services.worker;
    expect(worker.command.slice(0, 3)).toEqual(["node", "bin/salescast.js", "worker"]);
    const flag = (name: string) => worker.command[worker.command.indexOf(name) + 1];
    expect(flag("--concurrency")).toBe("2");
    expect(flag("--metrics-host")).toBe("0.0.0.0");
    expect(worker.deploy.replicas).toBe(2);
    expect(worker.ports).toBeUndefined();
    expect(worker.healthcheck.test.join(" ")).toContain(`http://127.0.0.1:${flag("--metrics-port")}/metrics`);
    const scrape = clusterPrometheus.scrape_configs.find(
      (c: { job_name: string }) => c.job_name === "worker",
    );
    expect(scrape.dns_sd_configs).toEqual([
      { names: ["worker"], type: "A", port: Number(flag("--metrics-port")), refresh_interval: "15s" },
    ]);
  });

  it("runs two api replicas behind the proxy, each scraped on its own", () => {
    const api = cluster.services.api;
    expect(api.command).toEqual(["node", "bin/salescast.js", "serve"]);
    expect(api.deploy.replicas).toBe(2);
    expect(api.ports).toBeUndefined();
    expect(api.secrets).toEqual(["admin_token"]);
    expect(api.environment.SALESCAST_ADMIN_TOKEN_FILE).toBe("/run/secrets/admin_token");
    expect(cluster.secrets.admin_token).toEqual({ file: "../admin_token" });
    expect(api.healthcheck.test.join(" ")).toContain("http://127.0.0.1:8000/api/health/ready");
    const scrape = clusterPrometheus.scrape_configs.find((c: { job_name: string }) => c.job_name === "api");
    expect(scrape.dns_sd_configs).toEqual([
      { names: ["api"], type: "A", port: 8000, refresh_interval: "15s" },
    ]);
    expect(api.image).toBe(cluster.services.worker.image);
    expect(api.build).toEqual({ context: "../..", dockerfile: "deploy/Dockerfile" });
  });

  it("publishes 8000 on the proxy, which resolves every api replica through compose's DNS", () => {
    const proxy = cluster.services.proxy;
    expect(proxy.ports).toEqual(["8000:8000"]);
    expect(proxy.volumes).toEqual(["./nginx.conf:/etc/nginx/nginx.conf:ro"]);
    const nginx = readFileSync(join(CLUSTER_DIR, "nginx.conf"), "utf8");
    expect(nginx).toMatch(/^\s*resolver 127\.0\.0\.11 /m);
    expect(nginx).toMatch(/^\s*set \$api http:\/\/api:8000;/m);
    expect(nginx).toMatch(/^\s*listen 8000;/m);
  });

  it("mounts files that exist, and the dashboards where the provisioning looks for them", () => {
    for (const [name, service] of Object.entries(
      cluster.services as Record<string, { volumes?: string[] }>,
    )) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(":")[0];
        if (source.startsWith("."))
          expect(existsSync(join(CLUSTER_DIR, source)), `${name}: ${source}`).toBe(true);
      }
    }
    expect(existsSync(join(CLUSTER_DIR, "../Dockerfile"))).toBe(true);
    const provider = parse(readFileSync("deploy/grafana/provisioning/dashboards/salescast.yml", "utf8"));
    const grafana = cluster.services.grafana;
    expect(grafana.volumes).toContain(`../grafana/dashboards:${provider.providers[0].options.path}:ro`);
    const home: string = grafana.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
    expect(home).toBe(`${provider.providers[0].options.path}/salescast-cluster.json`);
    expect(existsSync("deploy/grafana/dashboards/salescast-cluster.json")).toBe(true);
  });
});
