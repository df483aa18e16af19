import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import type { Series } from "../../src/data/index.ts";
import { packModels, unpackModels } from "../../src/queue/packed-models.ts";
import { inProcessUnits, seriesUnits, trainSeriesUnit } from "../../src/train/series-units.ts";
import { threadedUnits } from "../../src/train/unit-threads.ts";
import { CONFIG_FILE } from "../server/trained-models.ts";

const dir = mkdtempSync(join(tmpdir(), "salescast-units-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function series(id: string, length: number, level: number): Series {
  const values = Float64Array.from(
    { length },
    (_, t) => level * (10 + [5, 3, 4, 6, 8, 12, 10][t % 7]) + (t % 5),
  );
  return { id, frequency: "D", start: "2024-01-01", values };
}

const config = loadConfig(
  CONFIG_FILE,
  [
    "train.scope=per_series",
    "model.members=[seasonal_naive, linear]",
    "data.window_size=14",
    "data.horizon=7",
  ],
  {},
);
const setting = {
  config,
  frequency: "D" as const,
  season: 7,
  split: { windowSize: 14, horizon: 7, validationFraction: 0.2 },
};
const all = [
  series("a", 90, 1),
  series("b", 100, 3),
  series("c", 80, 10),
  series("d", 95, 2),
  series("e", 85, 5),
];

describe("work units of a per-series training", () => {
  it("cut the series in order into units of the given size, the last one shorter, as plain data", () => {
    const units = seriesUnits(all, setting, 2);
    expect(units.map((u) => u.index)).toEqual([0, 1, 2]);
    expect(units.map((u) => u.series.map((s) => s.id))).toEqual([["a", "b"], ["c", "d"], ["e"]]);
    expect(JSON.parse(JSON.stringify(units))).toEqual(units);
    expect(units[1].series[0].values).toEqual(Array.from(all[2].values));
  });

  it("train one model per series, the same whichever unit a series falls in", async () => {
    const alone = await trainSeriesUnit(seriesUnits([all[3]], setting, 1)[0], join(dir, "alone"));
    const together = await inProcessUnits(join(dir, "together")).run(seriesUnits(all, setting, 2));
    expect(together.map((unit) => unit.map((m) => m.artifact.meta.name))).toEqual([
      ["series:a", "series:b"],
      ["series:c", "series:d"],
      ["series:e"],
    ]);
    const d = together[1][1].artifact;
    expect(d.forecasts).toEqual(alone[0].artifact.forecasts);
    expect(d.meta.onnx_sha256).toBe(alone[0].artifact.meta.onnx_sha256);
    expect(readdirSync(join(dir, "together"))).toHaveLength(5);
  });

  it("train the same models on two threads as one after another in this thread", async () => {
    const withNetwork = loadConfig(
      CONFIG_FILE,
      [
        "train.scope=per_series",
        "model.members=[seasonal_naive, linear, network]",
        "data.window_size=14",
        "data.horizon=7",
        "train.max_epochs=2",
      ],
      {},
    );
    const units = seriesUnits(all.slice(0, 3), { ...setting, config: withNetwork }, 1);
    const here = await inProcessUnits(join(dir, "here")).run(units);
    const threads = threadedUnits(join(dir, "threads"), 2);
    const done: number[] = [];
    try {
      const threaded = await threads.run(units, (count) => done.push(count));
      expect(done).toEqual([1, 2, 3]);
      expect(threaded.map((unit) => unit.map((m) => m.artifact.meta.name))).toEqual([
        ["series:a"],
        ["series:b"],
        ["series:c"],
      ]);
      threaded.flat().forEach((model, i) => {
        const same = here.flat()[i].artifact;
        expect(Buffer.from(model.artifact.onnx).equals(Buffer.from(same.onnx))).toBe(true);
        expect(model.artifact.forecasts).toEqual(same.forecasts);
        expect(model.artifact.normalization).toEqual(same.normalization);
      });
      expect(readdirSync(join(dir, "threads"))).toHaveLength(3);
    } finally {
      await threads.close();
    }
  });

  it("travel as JSON and are written back whole, checked before anything is written", async () => {
    const [unit] = seriesUnits(all.slice(0, 2), setting, 2);
    const trained = await trainSeriesUnit(unit, join(dir, "worker"));
    const packed = JSON.parse(JSON.stringify(packModels(trained)));
    const back = unpackModels(packed, unit, join(dir, "server"));
    expect(back.map((m) => m.artifact.meta)).toEqual(trained.map((m) => m.artifact.meta));
    expect(back.map((m) => m.artifact.forecasts)).toEqual(trained.map((m) => m.artifact.forecasts));
    expect(back[1].series[0].id).toBe("b");

    const root = join(dir, "refused");
    expect(() => unpackModels({ models: packed.models.slice(1) }, unit, root)).toThrow(
      "work unit 0 returned 1 models for 2 series",
    );
    const renamed = { models: [{ ...packed.models[0], folder: "../elsewhere" }, packed.models[1]] };
    expect(() => unpackModels(renamed, unit, root)).toThrow('bad folder name "../elsewhere"');
    const onnx = Buffer.from(packed.models[0].files["model.onnx"], "base64");
    onnx[onnx.length - 1] ^= 1;
    const corrupt = {
      models: [
        { ...packed.models[0], files: { ...packed.models[0].files, "model.onnx": onnx.toString("base64") } },
      ],
    };
    expect(() => unpackModels(corrupt, { ...unit, series: unit.series.slice(0, 1) }, root)).toThrow(
      /model.onnx does not match its checksum/,
    );
    expect(() => readdirSync(root)).toThrow();
  });
});
