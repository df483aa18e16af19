import { describe, expect, it } from "vitest";
import { CheckpointError } from "../../src/checkpoint/index.ts";
import { PickleDict, type PickleList, TensorRef, unpickle } from "../../src/checkpoint/unpickle.ts";
import { lightningPickle, op, originalShapedTensors, pickle, tensorPickle } from "./handmade.ts";

const read = (bytes: Buffer) => unpickle(bytes, "test.pkl");

/** `callable(*args)` reduced at the top level, as `pickle.dumps(os.system("..."))`-style payloads are. */
const hostileReduce = (module: string, name: string, argument: string) =>
  pickle(op.proto(), op.global(module, name), op.unicode(argument), op.tuple1(), op.reduce(), op.stop());

describe("unpickle", () => {
  it("reads a Lightning checkpoint's dicts, OrderedDict and tensors as inert data", () => {
    const tensors = originalShapedTensors();
    const data = read(lightningPickle(tensors));
    expect(data).toBeInstanceOf(PickleDict);
    const top = data as PickleDict;
    expect(top.entries.get("epoch")).toBe(3);
    expect((top.entries.get("loops") as PickleDict).entries.get("fit_loop")).toBe("inert");
    const stateDict = top.entries.get("state_dict") as PickleDict;
    expect(stateDict.ordered).toBe(true);
    expect([...stateDict.entries.keys()]).toEqual(tensors.map((t) => t.name));
    const hh = stateDict.entries.get("lstm.weight_hh_l0") as TensorRef;
    expect(hh).toBeInstanceOf(TensorRef);
    expect(hh.shape).toEqual([256, 64]);
    expect(hh.stride).toEqual([64, 1]);
    expect(hh.storage).toEqual({
      kind: "storage",
      type: "FloatStorage",
      key: "3",
      location: "cpu",
      numel: 16384,
    });
  });

  it("keeps an OrderedDict's BUILD state (torch's _metadata) without calling anything", () => {
    const bytes = pickle(
      op.proto(),
      op.global("collections", "OrderedDict"),
      op.emptyTuple(),
      op.reduce(),
      op.emptyDict(),
      op.unicode("_metadata"),
      op.unicode("kept"),
      op.setItem(),
      op.build(),
      op.stop(),
    );
    const dict = read(bytes) as PickleDict;
    expect(dict.ordered).toBe(true);
    expect((dict.state as PickleDict).entries.get("_metadata")).toBe("kept");
  });

  it.each([
    ["os", "system", "touch /tmp/pwned"],
    ["builtins", "eval", "__import__('os').system('id')"],
    ["subprocess", "Popen", "id"],
    ["posix", "system", "id"],
    ["torch", "load", "x"],
  ])("refuses the global %s.%s before anything else", (module, name, argument) => {
    expect(() => read(hostileReduce(module, name, argument))).toThrow(CheckpointError);
    expect(() => read(hostileReduce(module, name, argument))).toThrow(
      new RegExp(`asks for the global '${module}\\.${name}', which is refused.*at byte 2\\)`),
    );
  });

  it("refuses a hostile global hidden among the tensors of a state dict", () => {
    const extra = pickle(
      op.unicode("callbacks"),
      op.global("os", "system"),
      op.unicode("id"),
      op.tuple1(),
      op.reduce(),
    );
    expect(() => read(lightningPickle(originalShapedTensors(), extra))).toThrow(/the global 'os\.system'/);
  });

  it("refuses a reduce of an allowed global that is not a constructor it reads", () => {
    const bytes = pickle(
      op.proto(),
      op.global("torch", "FloatStorage"),
      op.emptyTuple(),
      op.reduce(),
      op.stop(),
    );
    expect(() => read(bytes)).toThrow(/reduces torch\.FloatStorage, which is refused/);
    const stringCall = pickle(op.proto(), op.unicode("os.system"), op.emptyTuple(), op.reduce(), op.stop());
    expect(() => read(stringCall)).toThrow(/reduces a string, which is refused/);
    const withArgs = pickle(
      op.proto(),
      op.global("collections", "OrderedDict"),
      op.unicode("x"),
      op.tuple1(),
      op.reduce(),
      op.stop(),
    );
    expect(() => read(withArgs)).toThrow(/builds an OrderedDict with arguments/);
  });

  it.each([
    ["INST", Buffer.from("ios\nsystem\n", "latin1")],
    ["OBJ", Buffer.from("o")],
    ["NEWOBJ", Buffer.from([0x81])],
    ["EXT1", Buffer.from([0x82, 1])],
    ["STACK_GLOBAL", Buffer.from([0x93])],
  ])("refuses the %s opcode, which would call or import code", (name, bytes) => {
    expect(() => read(pickle(op.proto(), op.mark(), bytes, op.stop()))).toThrow(
      new RegExp(`uses the ${name} opcode, which would call or import code`),
    );
  });

  it("refuses a BUILD on anything but an OrderedDict, since BUILD calls __setstate__", () => {
    const bytes = pickle(op.proto(), op.emptyDict(), op.emptyDict(), op.build(), op.stop());
    expect(() => read(bytes)).toThrow(/sets the state of a dict; only an OrderedDict's state is kept/);
  });

  it("refuses protocols above 2, unknown opcodes, truncation and a persistent id that is no storage", () => {
    expect(() => read(pickle(op.proto(4), op.none(), op.stop()))).toThrow(/pickle protocol 4/);
    expect(() => read(pickle(op.proto(), Buffer.from("I1\n"), op.stop()))).toThrow(/opcode 0x49/);
    expect(() => read(pickle(op.proto(), op.emptyDict()))).toThrow(/truncated \(no STOP opcode\)/);
    const whole = lightningPickle(originalShapedTensors());
    expect(() => read(whole.subarray(0, 200))).toThrow(CheckpointError);
    const fakeStorage = pickle(op.proto(), op.unicode("/etc/passwd"), op.persistentId(), op.stop());
    expect(() => read(fakeStorage)).toThrow(/persistent id that is not a torch storage/);
  });

  it("reads lists and shares memoized values", () => {
    const bytes = pickle(
      op.proto(),
      Buffer.from("]"), // EMPTY_LIST
      Buffer.from([0x71, 0]), // BINPUT 0
      op.mark(),
      op.int(1),
      op.int(300),
      Buffer.from("e"), // APPENDS
      Buffer.from([0x68, 0]), // BINGET 0
      Buffer.from([0x86]), // TUPLE2
      op.stop(),
    );
    const tuple = read(bytes) as unknown as { items: PickleList[] };
    expect(tuple.items[0].items).toEqual([1, 300]);
    expect(tuple.items[1]).toBe(tuple.items[0]);
  });

  it("reads a tensor whose storage is shared, checking the storage type agrees", () => {
    const twice = pickle(
      op.proto(),
      op.mark(),
      tensorPickle("0", [2], 4),
      tensorPickle("0", [2], 4),
      op.tuple(),
      op.stop(),
    );
    const { items } = read(twice) as unknown as { items: TensorRef[] };
    expect(items[0].storage).toBe(items[1].storage);
  });
});
