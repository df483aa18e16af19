import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { openCheckpoint } from "../../src/checkpoint/checkpoint-file.ts";
import { CheckpointError } from "../../src/checkpoint/index.ts";
import { readCnnLstmStateDict } from "../../src/checkpoint/state-dict.ts";
import type { TensorRef } from "../../src/checkpoint/unpickle.ts";
import { ZipArchive } from "../../src/checkpoint/zip.ts";
import {
  checkpointZip,
  type HandTensor,
  lightningPickle,
  op,
  originalShapedTensors,
  pickle,
  tensorPickle,
  zipStored,
} from "./handmade.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function writeTemp(bytes: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), "salescast-checkpoint-"));
  dirs.push(dir);
  const file = join(dir, "model.ckpt");
  writeFileSync(file, bytes);
  return file;
}

const SHAPE = { windowSize: 14, horizon: 1 };

describe("ZipArchive", () => {
  it("reads stored and deflated entries by name", () => {
    const zip = zipStored([{ name: "a/data.pkl", data: Buffer.from("hello") }]);
    expect(ZipArchive.open("x.ckpt", zip).read("a/data.pkl").toString()).toBe("hello");
    // the same archive with its entry deflated (method 8 in both headers)
    const raw = deflateRawSync(Buffer.from("hello hello hello"));
    const deflated = zipStored([{ name: "a/b", data: Buffer.from("hello hello hello") }]);
    const body = Buffer.concat([deflated.subarray(0, 33), raw]);
    const header = Buffer.from(body);
    header.writeUInt16LE(8, 8);
    header.writeUInt32LE(raw.length, 18);
    const central = Buffer.from(deflated.subarray(33 + 17));
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(raw.length, 20);
    const end = central.subarray(central.length - 22);
    end.writeUInt32LE(header.length, 16);
    const archive = ZipArchive.open("x.ckpt", Buffer.concat([header, central]));
    expect(archive.read("a/b").toString()).toBe("hello hello hello");
  });

  it.each(["../evil", "archive/../../etc/passwd", "/etc/passwd", "C:/x", "archive\\..\\x"])(
    "refuses the entry name %s as outside the archive's root",
    (name) => {
      const zip = zipStored([{ name, data: Buffer.from("x") }]);
      expect(() => ZipArchive.open("x.ckpt", zip)).toThrow(
        `x.ckpt: zip entry '${name}' points outside the archive's root`,
      );
    },
  );

  it("refuses a file that is no zip, a truncated one and a damaged entry", () => {
    expect(() => ZipArchive.open("x.ckpt", Buffer.from("not a zip at all, just text"))).toThrow(
      /no end of central directory record/,
    );
    const zip = zipStored([{ name: "a/b", data: Buffer.alloc(100, 7) }]);
    const cut = Buffer.concat([zip.subarray(0, 60), zip.subarray(zip.length - 22 - 49)]);
    expect(() => ZipArchive.open("x.ckpt", cut)).toThrow(CheckpointError);
    const damaged = Buffer.from(zip);
    damaged[40] ^= 0xff; // a byte of the entry's data
    expect(() => ZipArchive.open("x.ckpt", damaged).read("a/b")).toThrow(/does not match its CRC/);
  });
});

describe("openCheckpoint and readCnnLstmStateDict", () => {
  it("reads every parameter under salescast's names with the values that were written", () => {
    const tensors = originalShapedTensors();
    const model = readCnnLstmStateDict(openCheckpoint(writeTemp(checkpointZip(tensors))), SHAPE);
    expect(model.spec).toEqual({
      architecture: "cnn_lstm",
      windowSize: 14,
      horizon: 1,
      convChannels: 32,
      kernelSize: 3,
      lstmHidden: 64,
      lstmLayers: 1,
    });
    expect([...model.params.keys()]).toEqual([
      "conv.weight",
      "conv.bias",
      "lstm.weight_ih_l0",
      "lstm.weight_hh_l0",
      "lstm.bias_ih_l0",
      "lstm.bias_hh_l0",
      "fc.weight",
      "fc.bias",
    ]);
    expect(model.params.get("conv.weight")).toEqual(tensors[0].values);
    expect(model.params.get("lstm.weight_hh_l0")).toEqual(tensors[3].values);
    expect(model.params.get("fc.bias")).toEqual(tensors[7].values);
    expect(model.trainedEpochs).toBe(3);
  });

  it("takes a checkpoint's own sizes (a wider LSTM) as long as they form a CNN-LSTM", () => {
    const tensors = originalShapedTensors({
      "lstm.weight_ih_l0": [512, 32],
      "lstm.weight_hh_l0": [512, 128],
      "lstm.bias_ih_l0": [512],
      "lstm.bias_hh_l0": [512],
      "fc.weight": [1, 128],
    });
    const model = readCnnLstmStateDict(openCheckpoint(writeTemp(checkpointZip(tensors))), SHAPE);
    expect(model.spec.lstmHidden).toBe(128);
  });

  it.each([
    [{ "conv1.weight": [32, 2, 3] }, "conv1.weight has shape [32, 2, 3], the CNN-LSTM needs [32, 1, 3]"],
    [
      { "lstm.weight_ih_l0": [256, 16] },
      "lstm.weight_ih_l0 has shape [256, 16], the CNN-LSTM needs [256, 32]",
    ],
    [{ "fc.weight": [3, 64] }, "fc.weight has shape [3, 64], the CNN-LSTM needs [1, 64] (horizon 1"],
    [{ "conv1.weight": [32, 3] }, "conv1.weight has shape [32, 3], expected 3 dimensions"],
  ])("refuses a network of another shape, naming the parameter and shapes (%j)", (overrides, message) => {
    const file = writeTemp(checkpointZip(originalShapedTensors(overrides)));
    expect(() => readCnnLstmStateDict(openCheckpoint(file), SHAPE)).toThrow(message);
  });

  it("refuses a missing or an extra parameter by name", () => {
    const missing = originalShapedTensors().filter((t) => t.name !== "lstm.bias_hh_l0");
    expect(() => readCnnLstmStateDict(openCheckpoint(writeTemp(checkpointZip(missing))), SHAPE)).toThrow(
      "the state dict has no lstm.bias_hh_l0, which needs shape [256]",
    );
    const extra: HandTensor[] = [
      ...originalShapedTensors(),
      { name: "attention.weight", shape: [2], values: new Float32Array(2) },
    ];
    expect(() => readCnnLstmStateDict(openCheckpoint(writeTemp(checkpointZip(extra))), SHAPE)).toThrow(
      "the state dict holds attention.weight, which a CNN-LSTM (conv1.*, lstm.*, fc.*) has no place for",
    );
  });

  it("refuses a byte order other than little-endian", () => {
    const file = writeTemp(checkpointZip(originalShapedTensors(), { byteOrder: "big" }));
    expect(() => openCheckpoint(file)).toThrow(
      'archive/byteorder says the tensors are "big"-endian; only little-endian is read',
    );
  });

  it("refuses a truncated tensor file, naming the parameter and the sizes", () => {
    const zip = checkpointZip(originalShapedTensors(), {
      storage: (i, bytes) => (i === 3 ? bytes.subarray(0, 1000) : bytes),
    });
    expect(() => readCnnLstmStateDict(openCheckpoint(writeTemp(zip)), SHAPE)).toThrow(
      "lstm.weight_hh_l0: tensor file data/3 is truncated: 1000 bytes, its storage of 16384 FloatStorage elements needs 65536",
    );
  });

  it("refuses a zip without data.pkl and a missing tensor file", () => {
    const empty = writeTemp(zipStored([{ name: "archive/version", data: Buffer.from("3") }]));
    expect(() => openCheckpoint(empty)).toThrow("expected one <folder>/data.pkl, found 0");
    const tensors = originalShapedTensors();
    const zip = zipStored([{ name: "archive/data.pkl", data: lightningPickle(tensors) }]);
    expect(() => readCnnLstmStateDict(openCheckpoint(writeTemp(zip)), SHAPE)).toThrow(
      "conv1.weight needs archive/data/0, which is missing",
    );
  });

  it("gathers a tensor through its strides and offset (a transposed view)", () => {
    // storage [0..5] viewed as the transpose of a 2x3 matrix: shape [3, 2], strides [1, 3]
    const storage = Float32Array.from([0, 1, 2, 3, 4, 5]);
    const bytes = pickle(op.proto(), tensorPickle("0", [3, 2], 6, [1, 3]), op.stop());
    const zip = zipStored([
      { name: "t/data.pkl", data: bytes },
      { name: "t/data/0", data: Buffer.from(storage.buffer) },
    ]);
    const checkpoint = openCheckpoint(writeTemp(zip));
    expect(checkpoint.read(checkpoint.data as TensorRef, "t")).toEqual(Float32Array.from([0, 3, 1, 4, 2, 5]));
    const beyond = pickle(op.proto(), tensorPickle("0", [3, 2], 6, [2, 3]), op.stop());
    const far = openCheckpoint(
      writeTemp(
        zipStored([
          { name: "t/data.pkl", data: beyond },
          { name: "t/data/0", data: Buffer.from(storage.buffer) },
        ]),
      ),
    );
    expect(() => far.read(far.data as TensorRef, "t")).toThrow(
      "t reaches element 7 of data/0, which holds 6 elements",
    );
  });
});
