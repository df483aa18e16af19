import { describe, expect, it } from "vitest";
import { buildApp, ServingModels } from "../../src/server/index.ts";
import { openRegistry, startServer, trainVersions } from "./registry-server.ts";

describe("GET /api/health/ready", () => {
  it("is 503 with the reason until a production version serves, then 200; liveness is 200 throughout", async () => {
    const { dir, config, registry } = await openRegistry(["registry.promotion=manual"]);
    const server = await startServer(dir, config, registry);
    const get = (url: string) => server.app.inject({ method: "GET", url });
    try {
      const empty = await get("/api/health/ready");
      expect(empty.statusCode).toBe(503);
      expect(empty.json()).toEqual({
        status: "not_ready",
        reason: "no version is in production in the registry: train one (POST /api/train) or promote one",
        production_serving: 0,
      });
      expect((await get("/api/health")).statusCode).toBe(200);

      const [v1] = await trainVersions(config, registry, [1]);
      await registry.promote(v1.id);
      const notLoaded = await get("/api/health/ready");
      expect(notLoaded.statusCode).toBe(503);
      expect(notLoaded.json().reason).toBe(
        "no production version is loaded (see load_failures in GET /api/health)",
      );

      await server.app.loadServingModels();
      const ready = await get("/api/health/ready");
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toEqual({ status: "ready", production_serving: 1 });
    } finally {
      await server.close();
    }
  });

  it("is 503 when the registry does not answer", async () => {
    const { dir, config, registry } = await openRegistry(["registry.promotion=always"]);
    await trainVersions(config, registry, [1]);
    const server = await startServer(dir, config, registry);
    try {
      expect((await server.app.inject({ method: "GET", url: "/api/health/ready" })).statusCode).toBe(200);
      await registry.close();
      const down = await server.app.inject({ method: "GET", url: "/api/health/ready" });
      expect(down.statusCode).toBe(503);
      expect(down.json().reason).toMatch(/^the registry does not answer: /);
      expect(down.body).not.toContain(dir);
    } finally {
      await server.app.close();
    }
  });

  it("is 503 for a server without a registry", async () => {
    const { config, registry } = await openRegistry();
    await registry.close();
    const app = await buildApp({ config, models: new ServingModels({ microBatchMax: 4 }) });
    try {
      const response = await app.inject({ method: "GET", url: "/api/health/ready" });
      expect(response.statusCode).toBe(503);
      expect(response.json().reason).toBe("the server has no registry");
    } finally {
      await app.close();
    }
  });
});
