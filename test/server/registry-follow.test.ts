import { rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { afterAll, expect, it } from "vitest";
import { CliProcess, cleanEnv } from "./cli-process.ts";
import { openRegistry, trainVersions } from "./registry-server.ts";
import { CONFIG_FILE, salesWindow } from "./trained-models.ts";

// A real server process follows promotions made by another process on the same registry file (here, this
// test's own connection, as `salescast models promote` or another replica would): within about a second of
// each one it serves the new version, and not one request fails across the swaps.

const { dir, config, registry } = await openRegistry(["registry.promotion=manual"]);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function predict(port: number, agent: Agent, series: number[]): Promise<{ status: number; id?: number }> {
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
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          resolve(status === 200 ? { status, id: JSON.parse(body).model.id } : { status });
        });
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify({ series }));
  });
}

it("serves each promotion another process makes within the poll deadline, failing no request", async () => {
  const [v1, v2] = await trainVersions(config, registry, [1, 2]);
  await registry.promote(v1.id);
  const server = new CliProcess(
    [
      "serve",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--config",
      CONFIG_FILE,
      `data.csv_path=${JSON.stringify(config.data.csv_path)}`,
      `paths.artifacts=${JSON.stringify(config.paths.artifacts)}`,
      `registry.path=${JSON.stringify(config.registry.path)}`,
      "server.registry_poll_ms=200",
    ],
    cleanEnv(),
  );
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  try {
    const port = Number(new URL(await server.listening()).port);
    const answers: { status: number; id?: number }[] = [];
    let streaming = true;
    const stream = Promise.all(
      Array.from({ length: 8 }, async (_, k) => {
        for (let i = 0; streaming; i++) answers.push(await predict(port, agent, salesWindow(k * 1000 + i)));
      }),
    );
    const propagation: number[] = [];
    for (const target of [v2, v1, v2, v1]) {
      const started = Date.now();
      await registry.promote(target.id);
      for (;;) {
        const { id } = await predict(port, agent, salesWindow(1));
        if (id === target.id) break;
        if (Date.now() - started > 10_000) throw new Error(`version ${target.id} did not serve within 10 s`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      propagation.push(Date.now() - started);
    }
    streaming = false;
    await stream;
    expect(answers.length).toBeGreaterThan(100);
    expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
    expect(new Set(answers.map((answer) => answer.id))).toEqual(new Set([v1.id, v2.id]));
    // generous: the poll is every 200 ms here; a loaded machine may take longer to load a model
    for (const ms of propagation) expect(ms).toBeLessThan(5_000);
    const loaded = server.logs.filter((line) => line.msg.startsWith("serving model global"));
    expect(loaded.length).toBeGreaterThanOrEqual(5);
  } finally {
    agent.destroy();
    server.child.kill("SIGTERM");
    expect((await server.exited).code).toBe(0);
    await registry.close();
  }
});
