import { readFileSync } from "node:fs";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { createCnnLstm, createNetwork, Rng, setParams } from "../../src/model/index.ts";
import { exportOnnx } from "../../src/model/onnx-export.ts";
import { importOnnx } from "../../src/model/onnx-import.ts";
import { type Onnx, onnx, readFloatTensor } from "../../src/model/onnx-proto.ts";
import { type CnnLstmSpec, cnnLstmParamShapes, sizeOf } from "../../src/model/spec.ts";
import { relativeError } from "./relative-error.ts";

const goldenUrl = new URL("../fixtures/reference/cnn_lstm_golden.json", import.meta.url);

interface GoldenTensor {
  shape: number[];
  data: number[];
}

interface Golden {
  initial_params: Record<string, GoldenTensor>;
  x: GoldenTensor;
  output: number[];
}

const goldenSpec: CnnLstmSpec = {
  architecture: "cnn_lstm",
  windowSize: 14,
  horizon: 1,
  convChannels: 32,
  kernelSize: 3,
  lstmHidden: 64,
  lstmLayers: 1,
};

const stackedSpec: CnnLstmSpec = {
  architecture: "cnn_lstm",
  windowSize: 21,
  horizon: 3,
  convChannels: 8,
  kernelSize: 5,
  lstmHidden: 16,
  lstmLayers: 2,
};

/** mulberry32: a small seeded generator, so the round trip uses the same weights on every run. */
function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomParams(spec: CnnLstmSpec, seed: number): Map<string, Float32Array> {
  const uniform = seededUniform(seed);
  return new Map(
    cnnLstmParamShapes(spec).map(({ name, shape }) => [
      name,
      Float32Array.from({ length: sizeOf(shape) }, () => uniform() * 2 - 1),
    ]),
  );
}

async function runOnnx(bytes: Uint8Array, x: Float32Array, batch: number, windowSize: number) {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const result = await session.run({ input: new ort.Tensor("float32", x, [batch, windowSize]) });
    return result.output;
  } finally {
    await session.release();
  }
}

type DecodedModel = ReturnType<typeof onnx.ModelProto.decode>;

/** Decodes an exported model, lets `edit` change it, and encodes it again. */
function editModel(bytes: Uint8Array, edit: (model: DecodedModel) => void): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  edit(model);
  return onnx.ModelProto.encode(model).finish();
}

function initializersOf(model: DecodedModel): Onnx.ITensorProto[] {
  const tensors = model.graph?.initializer;
  if (!tensors) throw new Error("test setup: the model has no initializers");
  return tensors;
}

function initializer(model: DecodedModel, name: string): Onnx.ITensorProto {
  const tensor = initializersOf(model).find((t) => t.name === name);
  if (!tensor) throw new Error(`test setup: no initializer ${name}`);
  return tensor;
}

describe("ONNX export", () => {
  it("computes PyTorch's golden output in onnxruntime", async () => {
    const golden = JSON.parse(readFileSync(goldenUrl, "utf8")) as Golden;
    const params = new Map(
      Object.entries(golden.initial_params).map(([name, t]) => [name, Float32Array.from(t.data)]),
    );
    const [batch, windowSize] = golden.x.shape;

    const output = await runOnnx(
      exportOnnx(goldenSpec, params),
      Float32Array.from(golden.x.data),
      batch,
      windowSize,
    );

    expect(output.dims).toEqual([batch, 1]);
    expect(relativeError(output.data as Float32Array, golden.output)).toBeLessThan(1e-5);
  });

  it("declares a dynamic batch: one model runs batches of 1 and 5", async () => {
    const bytes = exportOnnx(stackedSpec, randomParams(stackedSpec, 3));
    for (const batch of [1, 5]) {
      const output = await runOnnx(
        bytes,
        new Float32Array(batch * stackedSpec.windowSize),
        batch,
        stackedSpec.windowSize,
      );
      expect(output.dims).toEqual([batch, stackedSpec.horizon]);
    }
  });

  it("writes the same bytes for the same model", () => {
    const params = randomParams(stackedSpec, 7);
    const first = exportOnnx(stackedSpec, params, { producerVersion: "0.1.0", docString: "d" });
    const second = exportOnnx(stackedSpec, params, { producerVersion: "0.1.0", docString: "d" });
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
  });

  it("accepts a record of parameters as well as a map, and stores the producer metadata", () => {
    const params = randomParams(stackedSpec, 9);
    const fromRecord = exportOnnx(stackedSpec, Object.fromEntries(params), { producerVersion: "1.2.3" });
    expect(
      Buffer.from(fromRecord).equals(
        Buffer.from(exportOnnx(stackedSpec, params, { producerVersion: "1.2.3" })),
      ),
    ).toBe(true);
    const model = onnx.ModelProto.decode(fromRecord);
    expect(model.producerName).toBe("salescast");
    expect(model.producerVersion).toBe("1.2.3");
  });

  it("copies weights given as subarrays at a byteOffset", () => {
    const params = randomParams(stackedSpec, 11);
    const weight = params.get("fc.weight") as Float32Array;
    const padded = new Float32Array(weight.length + 3);
    padded.set(weight, 3);
    params.set("fc.weight", padded.subarray(3));
    expect(importOnnx(exportOnnx(stackedSpec, params)).params.get("fc.weight")).toEqual(weight);
  });

  it("refuses a missing, mis-sized or unknown parameter, naming it", () => {
    const missing = randomParams(stackedSpec, 1);
    missing.delete("lstm.bias_hh_l1");
    expect(() => exportOnnx(stackedSpec, missing)).toThrow(/lstm\.bias_hh_l1 is missing/);

    const misSized = randomParams(stackedSpec, 1);
    misSized.set("conv.bias", new Float32Array(7));
    expect(() => exportOnnx(stackedSpec, misSized)).toThrow(/conv\.bias has 7 values, expected 8/);

    const extra = randomParams(stackedSpec, 1);
    extra.set("lstm.weight_ih_l2", new Float32Array(4));
    expect(() => exportOnnx(stackedSpec, extra)).toThrow(/not in the spec: lstm\.weight_ih_l2/);
  });
});

describe("ONNX import", () => {
  it("reads back the spec and every weight bit for bit (2 layers, horizon 3, kernel 5)", () => {
    const params = randomParams(stackedSpec, 42);

    const imported = importOnnx(exportOnnx(stackedSpec, params));

    expect(imported.spec).toEqual(stackedSpec);
    expect([...imported.params.keys()]).toEqual(cnnLstmParamShapes(stackedSpec).map((p) => p.name));
    for (const [name, data] of params) {
      const back = imported.params.get(name) as Float32Array;
      expect(new Uint32Array(back.buffer, back.byteOffset, back.length), name).toEqual(
        new Uint32Array(data.buffer, data.byteOffset, data.length),
      );
    }
  });

  it("reads weights stored as float_data, as other ONNX writers may store them", () => {
    const params = randomParams(stackedSpec, 5);
    const asFloatData = editModel(exportOnnx(stackedSpec, params), (model) => {
      for (const tensor of initializersOf(model)) {
        if (tensor.dataType !== onnx.TensorProto.DataType.FLOAT) continue;
        tensor.floatData = Array.from(readFloatTensor(tensor));
        tensor.rawData = new Uint8Array(0);
      }
    });
    expect(importOnnx(asFloatData).params).toEqual(params);
  });

  it("rejects bytes that are not an ONNX model", () => {
    expect(() => importOnnx(new TextEncoder().encode("date,sales\n2024-01-01,3\n"))).toThrow(
      /not an ONNX model/,
    );
    expect(() => importOnnx(new Uint8Array(0))).toThrow(/not an ONNX model/);
  });

  it("rejects a model without the salescast spec", () => {
    const bytes = editModel(exportOnnx(stackedSpec, randomParams(stackedSpec, 1)), (model) => {
      model.metadataProps = [];
    });
    expect(() => importOnnx(bytes)).toThrow(/lacks the "salescast\.spec" metadata/);
  });

  it("rejects a spec that is not a valid CNN-LSTM spec", () => {
    const bytes = editModel(exportOnnx(stackedSpec, randomParams(stackedSpec, 1)), (model) => {
      model.metadataProps[0].value = JSON.stringify({ ...stackedSpec, lstmHidden: 0 });
    });
    expect(() => importOnnx(bytes)).toThrow(/spec\.lstmHidden must be a positive integer/);
  });

  it("rejects a mis-shaped weight, naming it and both shapes", () => {
    const bytes = editModel(exportOnnx(stackedSpec, randomParams(stackedSpec, 1)), (model) => {
      initializer(model, "lstm.R_l1").dims = [1, 64, 8];
    });
    expect(() => importOnnx(bytes)).toThrow(/lstm\.R_l1 has shape \[1,64,8\], expected \[1,64,16\]/);
  });

  it("rejects a missing weight, naming it", () => {
    const bytes = editModel(exportOnnx(stackedSpec, randomParams(stackedSpec, 1)), (model) => {
      const tensors = initializersOf(model);
      tensors.splice(tensors.indexOf(initializer(model, "fc.bias")), 1);
    });
    expect(() => importOnnx(bytes)).toThrow(/lacks the initializer fc\.bias/);
  });

  it("rejects raw_data whose length does not match the shape", () => {
    const bytes = editModel(exportOnnx(stackedSpec, randomParams(stackedSpec, 1)), (model) => {
      const tensor = initializer(model, "conv.weight");
      tensor.rawData = (tensor.rawData as Uint8Array).subarray(4);
    });
    expect(() => importOnnx(bytes)).toThrow(/conv\.weight has 156 bytes of raw_data, expected 160/);
  });
});

describe("ONNX and the engine", () => {
  const batch = 6;

  function engineParams(network: ReturnType<typeof createCnnLstm>): Map<string, Float32Array> {
    return new Map(network.params.map((p) => [p.name, p.data]));
  }

  it.each([false, true])(
    "onnxruntime matches the engine's forward (2 layers, horizon 3, kernel 5, highway %s)",
    async (highway) => {
      const spec: CnnLstmSpec = { ...stackedSpec, highway };
      const rng = new Rng(2024);
      const network = createCnnLstm(spec, rng);
      const x = Float32Array.from({ length: batch * spec.windowSize }, () => rng.normal());
      const expected = network.forward(x, batch).slice();

      const output = await runOnnx(exportOnnx(spec, engineParams(network)), x, batch, spec.windowSize);

      expect(output.dims).toEqual([batch, spec.horizon]);
      expect(relativeError(output.data as Float32Array, expected)).toBeLessThan(1e-5);
    },
  );

  it.each([false, true])(
    "an imported model loads into a fresh engine network and forecasts exactly as the original (highway %s)",
    (highway) => {
      const spec: CnnLstmSpec = { ...stackedSpec, highway };
      const rng = new Rng(17);
      const original = createCnnLstm(spec, rng);
      const x = Float32Array.from({ length: batch * spec.windowSize }, () => rng.normal());
      const imported = importOnnx(exportOnnx(spec, engineParams(original)));

      const restored = createNetwork(imported.spec, new Rng(99));
      setParams(restored, imported.params);

      expect(restored.forward(x, batch)).toEqual(original.forward(x, batch).slice());
    },
  );
});
