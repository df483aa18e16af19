import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AUTH,
  openRegistry,
  type RegistryServer,
  startServer,
  trainVersions,
} from "../server/registry-server.ts";
import { salesWindow } from "../server/trained-models.ts";

// Property-based bodies for every route that reads a JSON body: whatever a client sends, the answer is a
// 4xx or a success in the one error shape, never a 5xx, and the server keeps serving.

const RUNS_PER_ROUTE = 600;

let server: RegistryServer;
let modelId: number;
beforeAll(async () => {
  const { dir, config, registry } = await openRegistry(["registry.promotion=always"]);
  [{ id: modelId }] = await trainVersions(config, registry, [1]);
  server = await startServer(dir, config, registry);
});
afterAll(async () => {
  await server?.close();
});

/** Numbers as a client may send them, JSON's edge cases included (NaN and infinities become null). */
const anyNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, 1e300, -1e300, 5e-324, 1.7976931348623157e308, Number.MAX_SAFE_INTEGER),
);
const anyValue = fc.oneof(
  anyNumber,
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 2 }),
);
const series = fc.oneof(
  fc.array(anyNumber, { maxLength: 20 }),
  fc.array(anyNumber, { minLength: 14, maxLength: 14 }),
  fc.array(anyValue, { maxLength: 16 }),
  anyValue,
);
const seriesId = fc.oneof(
  fc.string(),
  fc.constantFrom("Beauty", "Clothing", "__proto__", "../etc/passwd", ""),
);

/** Structured bodies near each route's schema, beside arbitrary JSON and text that is not JSON. */
const bodies = {
  predict: fc.oneof(fc.record({ series }), fc.dictionary(fc.string(), anyValue)),
  batch: fc.oneof(
    fc.record({
      items: fc.oneof(
        fc.array(fc.record({ series, series_id: fc.option(seriesId, { nil: undefined }) }), { maxLength: 5 }),
        anyValue,
      ),
    }),
    fc.dictionary(fc.string(), anyValue),
  ),
  train: fc.oneof(
    fc.record({
      series: fc.option(fc.array(seriesId, { maxLength: 4 }), { nil: undefined }),
      overrides: fc.option(
        fc.array(
          fc.oneof(
            fc.string(),
            fc
              .tuple(
                fc.constantFrom(
                  "train.max_epochs",
                  "model.lstm_hidden",
                  "data.window_size",
                  "train.limits.max_epochs",
                  "server.port",
                  "__proto__.x",
                  "train.scope",
                  "data.csv_path",
                ),
                fc.oneof(fc.string(), anyNumber.map(String)),
              )
              .map(([key, value]) => `${key}=${value}`),
          ),
          { maxLength: 4 },
        ),
        { nil: undefined },
      ),
    }),
    fc.dictionary(fc.string(), anyValue),
  ),
  rollback: fc.oneof(
    fc.record({ name: fc.oneof(fc.string(), fc.constant("global")) }),
    fc.dictionary(fc.string(), anyValue),
  ),
};

/** A payload: JSON of the structured body, any JSON value, or text that is not JSON. */
const payload = (body: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 6, arbitrary: body.map((value) => JSON.stringify(value)) },
    { weight: 2, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: fc.string() },
  );

const failures: string[] = [];
async function send(url: string, text: string | undefined, headers: Record<string, string>) {
  const response = await server.app.inject({ method: "POST", url, payload: text, headers });
  if (response.statusCode >= 500) failures.push(`${url} ${text} → ${response.statusCode} ${response.body}`);
  return response;
}

describe("fuzzed JSON bodies", () => {
  const routes: [string, fc.Arbitrary<string>, fc.Arbitrary<unknown>][] = [
    ["/api/predict", fc.constant("/api/predict"), bodies.predict],
    [
      "/api/predict/{series_id}",
      seriesId.map((id) => `/api/predict/${encodeURIComponent(id) || "x"}`),
      bodies.predict,
    ],
    ["/api/predict/batch", fc.constant("/api/predict/batch"), bodies.batch],
    ["/api/train", fc.constant("/api/train"), bodies.train],
    ["/api/models/rollback", fc.constant("/api/models/rollback"), bodies.rollback],
    [
      "/api/models/{id}/promote",
      fc
        .oneof(fc.constant(String(modelId)), fc.string())
        .map((id) => `/api/models/${encodeURIComponent(id) || "1"}/promote`),
      fc.jsonValue(),
    ],
  ];

  it.each(routes)(`${RUNS_PER_ROUTE} bodies to %s: never a 5xx`, async (_name, urls, body) => {
    failures.length = 0;
    await fc.assert(
      fc.asyncProperty(urls, payload(body), fc.boolean(), async (url, text, authorized) => {
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (authorized) Object.assign(headers, AUTH);
        const response = await send(url, text, headers);
        return response.statusCode < 500;
      }),
      { numRuns: RUNS_PER_ROUTE, seed: 13 },
    );
    expect(failures).toEqual([]);
  });

  it("the server still serves afterwards", async () => {
    const response = await server.app.inject({
      method: "POST",
      url: "/api/predict",
      payload: { series: salesWindow(1) },
    });
    expect(response.statusCode).toBe(200);
  });
});
