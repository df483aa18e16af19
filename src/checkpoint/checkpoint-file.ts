import { readFileSync } from "node:fs";
import { CheckpointError } from "./errors.ts";
import { tensorValues } from "./tensors.ts";
import { type PickleValue, type TensorRef, unpickle } from "./unpickle.ts";
import { ZipArchive } from "./zip.ts";

/** A torch.save file, opened: its pickled object as plain data, and a way to read the tensors it names. */
export interface CheckpointFile {
  file: string;
  data: PickleValue;
  /** The tensor's values, row-major float32; `what` names it in errors. */
  read(tensor: TensorRef, what: string): Float32Array;
}

/** torch.save puts everything under one folder: `<root>/data.pkl`, `<root>/byteorder`, `<root>/data/<key>`. */
function archiveRoot(file: string, zip: ZipArchive): string {
  const roots = zip.names.filter((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (roots.length !== 1) {
    throw new CheckpointError(
      `${file} is not a torch.save checkpoint: expected one <folder>/data.pkl, found ${roots.length}`,
    );
  }
  return roots[0].slice(0, -"data.pkl".length);
}

/**
 * torch records the byte order of the machine that saved; the tensors are read as little-endian, so anything
 * else is refused. Files older than the record came from little-endian machines only.
 */
function checkByteOrder(file: string, zip: ZipArchive, root: string): void {
  const name = `${root}byteorder`;
  if (!zip.has(name)) return;
  const order = zip.read(name).toString("latin1").trim();
  if (order !== "little") {
    throw new CheckpointError(
      `${file}: ${name} says the tensors are ${JSON.stringify(order)}-endian; only little-endian is read`,
    );
  }
}

/** Opens a checkpoint and unpickles its data.pkl; no tensor is read until asked for. */
export function openCheckpoint(file: string): CheckpointFile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new CheckpointError(`cannot read checkpoint ${file}: ${(error as Error).message}`);
  }
  const zip = ZipArchive.open(file, bytes);
  const root = archiveRoot(file, zip);
  checkByteOrder(file, zip, root);
  const data = unpickle(zip.read(`${root}data.pkl`), `${file}: ${root}data.pkl`);
  return {
    file,
    data,
    read(tensor, what) {
      const name = `${root}data/${tensor.storage.key}`;
      if (!zip.has(name)) throw new CheckpointError(`${file}: ${what} needs ${name}, which is missing`);
      return tensorValues(tensor, zip.read(name), `${file}: ${what}`);
    },
  };
}
