export { CheckpointError } from "./errors.ts";
export {
  type ImportOptions,
  type ImportResult,
  importCheckpoint,
  ORIGINAL_DEFAULTS,
  ORIGINAL_STD_EPSILON,
} from "./import.ts";
