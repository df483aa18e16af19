import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import {
  checkAdminExposure,
  isLoopbackHost,
  resolveAdminToken,
  ServerSetupError,
} from "../../src/server/index.ts";
import { redactor, withoutPaths } from "../../src/server/redact.ts";
import { CliProcess, cleanEnv } from "./cli-process.ts";
import { CONFIG_FILE, quickTrainOverrides } from "./trained-models.ts";

describe("the default configuration", () => {
  it("listens on loopback only", async () => {
    const config = loadConfig(CONFIG_FILE, [], {});
    expect(config.server.host).toBe("127.0.0.1");
    expect(config.server.admin_token).toBe("");
    expect(config.server.open_admin).toBe(false);
  });
});

describe("isLoopbackHost", () => {
  it.each(["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"])("%s is loopback", (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });
  it.each(["0.0.0.0", "::", "10.0.0.5", "192.168.1.1", "example.com", "127.0.0.1.evil.com"])(
    "%s is not",
    (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    },
  );
});

describe("checkAdminExposure", () => {
  const server = { host: "0.0.0.0", open_admin: false };

  it("refuses a non-loopback host with no token, saying every way out", async () => {
    expect(() => checkAdminExposure(server, "")).toThrow(ServerSetupError);
    let message = "";
    try {
      checkAdminExposure(server, "");
    } catch (error) {
      message = (error as Error).message;
    }
    for (const way of [
      "0.0.0.0",
      "server.admin_token",
      "SALESCAST_ADMIN_TOKEN",
      "server.admin_token_file",
      "server.open_admin=true",
      "127.0.0.1",
    ]) {
      expect(message).toContain(way);
    }
  });

  it("lets a token, open_admin or a loopback host through", async () => {
    expect(() => checkAdminExposure(server, "s3cret")).not.toThrow();
    expect(() => checkAdminExposure({ ...server, open_admin: true }, "")).not.toThrow();
    expect(() => checkAdminExposure({ ...server, host: "127.0.0.1" }, "")).not.toThrow();
  });
});

describe("resolveAdminToken", () => {
  const dir = () => mkdtempSync(join(tmpdir(), "salescast-token-"));

  it("prefers server.admin_token, else reads and trims the token file", async () => {
    const folder = dir();
    const file = join(folder, "admin_token");
    writeFileSync(file, "  from-the-secret\n");
    try {
      expect(resolveAdminToken({ admin_token: "direct", admin_token_file: file })).toBe("direct");
      expect(resolveAdminToken({ admin_token: "", admin_token_file: file })).toBe("from-the-secret");
      expect(resolveAdminToken({ admin_token: "", admin_token_file: "" })).toBe("");
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("refuses a missing or empty token file, naming it", async () => {
    const folder = dir();
    const empty = join(folder, "empty");
    writeFileSync(empty, "\n");
    try {
      expect(() => resolveAdminToken({ admin_token: "", admin_token_file: join(folder, "none") })).toThrow(
        /^cannot read server\.admin_token_file .*none: ENOENT/,
      );
      expect(() => resolveAdminToken({ admin_token: "", admin_token_file: empty })).toThrow(
        /^server\.admin_token_file .*empty is empty$/,
      );
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("SALESCAST_ADMIN_TOKEN_FILE sets server.admin_token_file", async () => {
    const config = loadConfig(CONFIG_FILE, [], { SALESCAST_ADMIN_TOKEN_FILE: "/run/secrets/admin_token" });
    expect(config.server.admin_token_file).toBe("/run/secrets/admin_token");
  });
});

describe("salescast serve on a non-loopback host", () => {
  it("exits 2 without a token, and says how to fix it", async () => {
    const root = mkdtempSync(join(tmpdir(), "salescast-exposed-"));
    try {
      const run = new CliProcess(
        ["serve", "--host", "0.0.0.0", "--port", "0", "--config", CONFIG_FILE, ...quickTrainOverrides(root)],
        cleanEnv({ SALESCAST_ADMIN_TOKEN: "" }),
      );
      expect((await run.exited).code).toBe(2);
      expect(run.stderr).toMatch(
        /^error: refusing to listen on 0\.0\.0\.0 with the admin routes .*open_admin=true/,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("starts with a token from a file (a Docker secret)", async () => {
    const root = mkdtempSync(join(tmpdir(), "salescast-exposed-"));
    const file = join(root, "admin_token");
    writeFileSync(file, "secret-from-file\n");
    const server = new CliProcess(
      [
        "serve",
        "--host",
        "0.0.0.0",
        "--port",
        "0",
        "--config",
        CONFIG_FILE,
        ...quickTrainOverrides(root),
        `server.admin_token_file=${JSON.stringify(file)}`,
      ],
      cleanEnv({ SALESCAST_ADMIN_TOKEN: "" }),
    );
    try {
      const url = (await server.listening()).replace("0.0.0.0", "127.0.0.1");
      const refused = await fetch(`${url}/api/models/rollback`, { method: "POST" });
      expect(refused.status).toBe(401);
      const allowed = await fetch(`${url}/api/models/rollback`, {
        method: "POST",
        headers: { authorization: "Bearer secret-from-file" },
      });
      expect(allowed.status).toBe(404); // past the guard: no model named global yet
    } finally {
      server.child.kill("SIGTERM");
      expect((await server.exited).code).toBe(0);
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("withoutPaths", () => {
  it("keeps a file's last part and drops its folders, and leaves the API's own paths alone", async () => {
    expect(withoutPaths("/var/lib/salescast/artifacts/2024-x/model.onnx does not match its checksum")).toBe(
      "…/model.onnx does not match its checksum",
    );
    expect(withoutPaths("cannot read '/home/me/data/sales.csv': ENOENT")).toBe(
      "cannot read '…/sales.csv': ENOENT",
    );
    expect(withoutPaths("name the series with POST /api/predict/{series_id}")).toBe(
      "name the series with POST /api/predict/{series_id}",
    );
    expect(withoutPaths("a ratio of 1/2 stays")).toBe("a ratio of 1/2 stays");
  });
});

describe("redactor", () => {
  it("replaces the admin token wherever it appears, and drops folders", async () => {
    const redact = redactor(["tok-123", ""]);
    expect(redact("override 'train.seed=tok-123' in /srv/app/config.yaml")).toBe(
      "override 'train.seed=[redacted]' in …/config.yaml",
    );
  });

  it("keeps the token out of an error answer that would echo it", async () => {
    const { openRegistry, startServer, ADMIN_TOKEN, AUTH } = await import("./registry-server.ts");
    const { dir, config, registry } = await openRegistry();
    const server = await startServer(dir, config, registry);
    try {
      const response = await server.app.inject({
        method: "POST",
        url: "/api/train",
        headers: AUTH,
        payload: { overrides: [`train.${ADMIN_TOKEN}=1`] },
      });
      expect(response.statusCode).toBe(422);
      expect(response.json().message).toMatch(/^unknown config key 'train\.\[redacted\]'/);
      expect(response.body).not.toContain(ADMIN_TOKEN);
    } finally {
      await server.close();
    }
  });
});
