import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Registry } from "../../src/registry/index.ts";
import { salesWindow, type TrainedModels, trainTestModels } from "../server/trained-models.ts";
import { startServe } from "./harness.ts";

// Corrupt model files in the registry: one whose bytes no longer match their checksum, one replaced by
// bytes that are not ONNX with the checksum updated to match. A real server starts, logs each as an
// error, serves the others, and says which failed in GET /api/health.

let trained: TrainedModels;
beforeAll(async () => {
  trained = await trainTestModels();
});
afterAll(() => trained.remove());

it("a server skips each corrupt version with an error and serves the others", async () => {
  // the bit-flipped file
  const beautyOnnx = join(trained.beauty, "model.onnx");
  const bytes = readFileSync(beautyOnnx);
  bytes[bytes.length >> 1] ^= 0xff;
  writeFileSync(beautyOnnx, bytes);
  // the file that is not ONNX at all, its checksum updated so only onnxruntime can tell
  const garbage = Buffer.from("this is not an ONNX model");
  writeFileSync(join(trained.clothing, "model.onnx"), garbage);
  const metaFile = join(trained.clothing, "meta.json");
  const meta = JSON.parse(readFileSync(metaFile, "utf8"));
  meta.onnx_sha256 = createHash("sha256").update(garbage).digest("hex");
  writeFileSync(metaFile, JSON.stringify(meta));

  const server = startServe([
    `paths.artifacts=${JSON.stringify(trained.root)}`,
    `registry.path=${JSON.stringify(trained.registryPath)}`,
  ]);
  try {
    const url = await server.listening();
    const errors = server.logs.filter((line) => line.level === 50).map((line) => line.msg);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^cannot load model series:Beauty v1: .*model\.onnx does not match its checksum/,
        ),
        expect.stringMatching(
          /^cannot load model series:Clothing v1: .*model\.onnx is not a loadable ONNX model/,
        ),
      ]),
    );
    const health = (await (await fetch(`${url}/api/health`)).json()) as {
      models: { name: string }[];
      load_failures: { name: string }[];
    };
    expect(health.models.map((model: { name: string }) => model.name)).toEqual(["global"]);
    expect(health.load_failures.map((failure: { name: string }) => failure.name).sort()).toEqual([
      "series:Beauty",
      "series:Clothing",
    ]);
    expect(JSON.stringify(health)).not.toContain(trained.root);
    expect((await fetch(`${url}/api/health/ready`)).status).toBe(200);
    // Beauty falls back to the global model, which has its statistics
    const beauty = await fetch(`${url}/api/predict/Beauty`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ series: salesWindow(1) }),
    });
    expect(beauty.status).toBe(200);
    expect(((await beauty.json()) as { model: { name: string } }).model.name).toBe("global");
    const registry = await Registry.open({ path: trained.registryPath, promotion: "manual" });
    try {
      expect((await registry.production()).map((model) => model.name).sort()).toEqual([
        "global",
        "series:Beauty",
        "series:Clothing",
      ]);
    } finally {
      await registry.close();
    }
  } finally {
    server.child.kill("SIGTERM");
    expect((await server.exited).code).toBe(0);
  }
});
