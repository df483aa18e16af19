import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/index.ts";

const bundled = "config/config.yaml";

function writeTemp(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "salescast-config-")), "config.yaml");
  writeFileSync(file, text);
  return file;
}

describe("loadConfig", () => {
  it("reads the bundled config with the original's sizes", () => {
    const config = loadConfig(bundled);
    expect(config.data.window_size).toBe(14);
    expect(config.data.batch_size).toBe(32);
    expect(config.model).toMatchObject({
      architecture: "cnn_lstm",
      conv_channels: 32,
      kernel_size: 3,
      lstm_hidden: 64,
    });
    expect(config.train.lr).toBe(0.001);
  });

  it("applies dotlist overrides with YAML-typed values", () => {
    const config = loadConfig(bundled, [
      "model.lstm_hidden=128",
      "train.max_epochs=3",
      "train.series=[Beauty, Clothing]",
    ]);
    expect(config.model.lstm_hidden).toBe(128);
    expect(config.train.max_epochs).toBe(3);
    expect(config.train.series).toEqual(["Beauty", "Clothing"]);
  });

  it("names an unknown override key and the keys that exist", () => {
    expect(() => loadConfig(bundled, ["model.lstm_hiden=128"])).toThrow(
      /unknown config key 'model.lstm_hiden' \(keys under model: .*lstm_hidden/,
    );
  });

  it("names the key and the expected type for a wrong type", () => {
    expect(() => loadConfig(bundled, ["train.max_epochs=many"])).toThrow(
      /train\.max_epochs: .*expected number/,
    );
  });

  it("rejects an override without '='", () => {
    expect(() => loadConfig(bundled, ["train.max_epochs"])).toThrow(ConfigError);
  });

  it("rejects an unknown key in the file, naming it", () => {
    const file = writeTemp("data: {}\nmodel: {}\ntrain: {}\npaths: {}\nextra: 1\n");
    expect(() => loadConfig(file)).toThrow(/extra/);
  });

  it("reads the dates' frequency and fills long files' gaps with zero unless told otherwise", () => {
    expect(loadConfig(bundled).data).toMatchObject({ frequency: "auto", fill_missing: "zero" });
    const text = readFileSync(bundled, "utf8").replace(/^ {2}(frequency|fill_missing):.*\n/gm, "");
    expect(text).not.toMatch(/frequency:|fill_missing:/);
    expect(loadConfig(writeTemp(text)).data).toMatchObject({ frequency: "auto", fill_missing: "zero" });
    const linear = loadConfig(bundled, ["data.fill_missing=linear", "data.frequency=W"]).data;
    expect(linear).toMatchObject({ frequency: "W", fill_missing: "linear" });
  });

  it("names data.fill_missing and its choices for an unknown value", () => {
    expect(() => loadConfig(bundled, ["data.fill_missing=mean"])).toThrow(
      /data\.fill_missing: .*"zero"\|"linear"\|"error"/,
    );
  });

  it("rejects a kernel wider than the window", () => {
    expect(() => loadConfig(bundled, ["model.kernel_size=20"])).toThrow(
      /model\.kernel_size: must not exceed data\.window_size/,
    );
  });

  it("reports a missing file and invalid YAML clearly", () => {
    expect(() => loadConfig("/nonexistent/config.yaml")).toThrow(
      /cannot read config file \/nonexistent\/config.yaml/,
    );
    expect(() => loadConfig(writeTemp("data: [unclosed\n"))).toThrow(/not valid YAML/);
  });

  it("takes PORT, HOST and SALESCAST_ADMIN_TOKEN from the environment, below the command line", () => {
    const env = { PORT: "9123", HOST: "127.0.0.1", SALESCAST_ADMIN_TOKEN: "12345" };
    const config = loadConfig(bundled, [], env);
    expect(config.server).toMatchObject({ port: 9123, host: "127.0.0.1", admin_token: "12345" });
    expect(loadConfig(bundled, ["server.port=7000"], env).server.port).toBe(7000);
    expect(() => loadConfig(bundled, [], { PORT: "eighty" })).toThrow(/server\.port: .*expected number/);
  });

  it("refuses prototype keys rather than writing to Object.prototype", () => {
    expect(() => loadConfig(bundled, ["__proto__.polluted=1"])).toThrow(
      /unknown config key '__proto__.polluted'/,
    );
    expect(() => loadConfig(bundled, ["data.constructor=1"])).toThrow(
      /unknown config key 'data.constructor'/,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("override values that are not YAML", () => {
  it("are a ConfigError naming the key", () => {
    expect(() => loadConfig(bundled, ["train.max_epochs=%"], {})).toThrow(
      /^override 'train\.max_epochs' has a value that is not valid YAML: /,
    );
  });
});
