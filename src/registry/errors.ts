/**
 * A registry request that cannot be done as asked; the message names the model, version or run.
 * `kind` lets an HTTP layer answer 404 (not_found), 409 (conflict) or 400/422 (invalid).
 */
export class RegistryError extends Error {
  override name = "RegistryError";
  constructor(
    message: string,
    readonly kind: "not_found" | "conflict" | "invalid",
  ) {
    super(message);
  }
}
