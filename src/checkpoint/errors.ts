/** A checkpoint that cannot be imported; the message names the file, the part and the rule it breaks. */
export class CheckpointError extends Error {
  override name = "CheckpointError";
}
