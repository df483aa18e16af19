import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
