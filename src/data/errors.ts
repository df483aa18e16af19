/** Every problem with the input data: the message names the file, line, column or series at fault. */
export class DataError extends Error {
  override name = "DataError";
}
