/** A forecast request that cannot be answered as asked; the message names the field and the rule. */
export class ForecastInputError extends Error {
  override name = "ForecastInputError";
  constructor(
    message: string,
    readonly kind: "length" | "value" | "unknown_series" | "level",
  ) {
    super(message);
  }
}
