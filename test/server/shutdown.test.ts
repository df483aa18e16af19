import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CliProcess } from "./cli-process.ts";
import {
  CONFIG_FILE,
  quickTrainOverrides,
  salesWindow,
  type TrainedModels,
  trainTestModels,
} from "./trained-models.ts";

let trained: TrainedModels;
beforeAll(async () => {
  trained = await trainTestModels();
});
afterAll(() => trained.remove());

const IN_FLIGHT = 16;

/** A POST whose body is sent in two parts, so the server holds it in flight until the second is sent. */
class SplitRequest {
  private readonly socket: Socket;
  private readonly rest: string;
  readonly response: Promise<string>;

  constructor(port: number, body: string) {
    const half = Math.floor(body.length / 2);
    this.rest = body.slice(half);
    this.socket = connect(port, "127.0.0.1");
    this.socket.write(
      `POST /api/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, half)}`,
    );
    let text = "";
    this.socket.setEncoding("utf8");
    this.socket.on("data", (chunk) => {
      text += chunk;
    });
    this.response = new Promise((resolve, reject) => {
      this.socket.on("end", () => resolve(text));
      this.socket.on("error", reject);
    });
  }

  /** Sends the rest of the body; the socket stays open (a half-closed socket aborts a Node request). */
  finish(): void {
    this.socket.write(this.rest);
  }
}

it("on SIGTERM, answers the requests in flight, closes, and exits 0", async () => {
  const server = new CliProcess([
    "serve",
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    "--config",
    CONFIG_FILE,
    ...quickTrainOverrides(trained.root),
  ]);
  const port = Number(new URL(await server.listening()).port);

  const requests = Array.from(
    { length: IN_FLIGHT },
    (_, i) => new SplitRequest(port, JSON.stringify({ series: salesWindow(i) })),
  );
  // Fastify logs each request as its headers arrive; the bodies are still half sent.
  const arrived = () => server.logs.filter((line) => line.msg === "incoming request").length;
  await server.waitForLog(() => arrived() === IN_FLIGHT);

  server.child.kill("SIGTERM");
  await server.waitForLog((line) => line.msg.startsWith("SIGTERM received"));
  expect(server.logs.some((line) => line.msg === "server closed")).toBe(false);

  for (const request of requests) request.finish();
  const responses = await Promise.all(requests.map((request) => request.response));
  for (const response of responses) {
    // The server ends each connection after its answer instead of keeping it alive.
    expect(response).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(response.toLowerCase()).toContain("\r\nconnection: close\r\n");
    const body = JSON.parse(response.slice(response.indexOf("\r\n\r\n") + 4));
    expect(body.forecast).toHaveLength(14);
    expect(Number.isFinite(body.predicted_sales)).toBe(true);
  }

  expect(await server.exited).toEqual({ code: 0, signal: null });
  const messages = server.logs.map((line) => line.msg);
  expect(messages.filter((msg) => msg === "request completed")).toHaveLength(IN_FLIGHT);
  expect(messages.indexOf("server closed")).toBeGreaterThan(messages.lastIndexOf("request completed"));
});
