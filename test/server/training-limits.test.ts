import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { HttpError, type RunView, trainingConfig } from "../../src/server/index.ts";
import { AUTH, eventually, openRegistry, startServer } from "./registry-server.ts";
import { CONFIG_FILE } from "./trained-models.ts";

const base = loadConfig(
  CONFIG_FILE,
  [
    "train.limits.max_epochs=50",
    "train.limits.max_size=128",
    "train.limits.max_lstm_layers=2",
    "train.limits.max_series=2",
  ],
  {},
);

function refusal(overrides: string[], series?: string[]): HttpError {
  try {
    trainingConfig(base, { overrides, series });
  } catch (error) {
    return error as HttpError;
  }
  throw new Error(`expected ${overrides.join(" ")} to be refused`);
}

describe("train.limits over HTTP", () => {
  it.each([
    [
      "train.max_epochs=51",
      "train.max_epochs is 51, over the server's limit of 50 (train.limits.max_epochs)",
    ],
    [
      "model.lstm_hidden=129",
      "model.lstm_hidden is 129, over the server's limit of 128 (train.limits.max_size)",
    ],
    [
      "model.conv_channels=4096",
      "model.conv_channels is 4096, over the server's limit of 128 (train.limits.max_size)",
    ],
    [
      "data.window_size=200",
      "data.window_size is 200, over the server's limit of 128 (train.limits.max_size)",
    ],
    [
      "data.batch_size=1000",
      "data.batch_size is 1000, over the server's limit of 128 (train.limits.max_size)",
    ],
    [
      "model.lstm_layers=3",
      "model.lstm_layers is 3, over the server's limit of 2 (train.limits.max_lstm_layers)",
    ],
  ])("refuses %s with a 422 naming the key and the limit", (override, message) => {
    const error = refusal([override]);
    expect(error).toBeInstanceOf(HttpError);
    expect([error.statusCode, error.code, error.message]).toEqual([422, "over_limit", message]);
  });

  it("refuses more series than train.limits.max_series", async () => {
    const error = refusal([], ["Beauty", "Clothing", "Electronics"]);
    expect([error.statusCode, error.message]).toEqual([
      422,
      "train.series names 3 series, over the server's limit of 2 (train.limits.max_series)",
    ]);
  });

  it("refuses any override of the limits themselves", async () => {
    for (const key of ["train.limits.max_epochs=1000000", "train.limits={max_epochs: 1}", "train={}"]) {
      const error = refusal([key]);
      expect([error.statusCode, error.code]).toEqual([400, "forbidden_override"]);
    }
  });

  it("lets a run at the limits through", async () => {
    const config = trainingConfig(base, {
      overrides: ["train.max_epochs=50", "model.lstm_hidden=128", "model.lstm_layers=2"],
      series: ["Beauty", "Clothing"],
    });
    expect(config.train.max_epochs).toBe(50);
  });
});

describe("a run's wall-clock budget and memory limit", () => {
  async function failedRun(overrides: string[], trainOverrides: string[]): Promise<RunView> {
    const { dir, config, registry } = await openRegistry(overrides);
    const server = await startServer(dir, config, registry);
    try {
      const started = await server.app.inject({
        method: "POST",
        url: "/api/train",
        headers: AUTH,
        payload: { overrides: trainOverrides },
      });
      expect(started.statusCode).toBe(202);
      const runId = started.json().run_id;
      const run = await eventually("the run to end", async () => {
        const view = (
          await server.app.inject({ method: "GET", url: `/api/train/${runId}` })
        ).json() as RunView;
        return view.hot_swap === undefined ? undefined : view;
      });
      expect(await registry.list()).toEqual([]);
      expect((await server.app.inject({ method: "GET", url: "/api/health" })).statusCode).toBe(200);
      return run;
    } finally {
      await server.close();
    }
  }

  it("stops a run past train.limits.max_seconds and records why", async () => {
    const run = await failedRun(
      ["train.limits.max_seconds=2", "train.limits.max_epochs=100000"],
      ["train.max_epochs=100000", "train.patience=100000"],
    );
    expect(run.status).toBe("failed");
    expect(run.error).toBe(
      "stopped: the run took longer than the server's limit of 2 s (train.limits.max_seconds)",
    );
  });

  it("stops a run that outgrows train.limits.max_memory_mb, and the server keeps serving", async () => {
    const run = await failedRun(["train.limits.max_memory_mb=12"], []);
    expect(run.status).toBe("failed");
    expect(run.error).toBe(
      "stopped: the run needed more memory than the server's limit of 12 MiB (train.limits.max_memory_mb)",
    );
  });
});
