import { Type } from "@fastify/type-provider-typebox";
import { checkedLevels, LevelError, levelsFromText } from "../intervals/index.ts";
import { HttpError } from "./errors.ts";

/**
 * `level` in a JSON body. Any JSON is let through the schema, so that a level that is not a number, or
 * outside (0, 100), is a 422 naming it (`levelsFromBody`) rather than a schema 400.
 */
export const LevelField = Type.Optional(
  Type.Array(Type.Unknown(), {
    description:
      "interval levels in percent, each above 0 and below 100 (default: the server's model.levels, e.g. [80, 95]); [] for no intervals. A window route served by a network's quantile head gives the levels it was trained for; another is 422",
    examples: [[80, 95]],
  }),
);

/** `level` in a query string: `level=80,95`; `level=` for no intervals. */
export const LevelQueryField = Type.Optional(
  Type.String({
    description:
      "interval levels in percent, comma-separated, each above 0 and below 100 (default: the server's model.levels); empty for none. A model whose stored bands are scaled by a quantile head gives the levels it was calibrated for; another is 422",
    examples: ["80,95"],
  }),
);

/** Runs a level check, a broken rule answered 422 with its message. */
function answered(check: () => number[]): number[] {
  try {
    return check();
  } catch (error) {
    if (error instanceof LevelError) throw new HttpError(422, "invalid_level", error.message);
    throw error;
  }
}

/** The levels a JSON body asks for (`field` names it in errors), or the defaults when it names none. */
export function levelsFromBody(value: unknown[] | undefined, defaults: readonly number[], field = "level") {
  return value === undefined ? [...defaults] : answered(() => checkedLevels(value, field));
}

/** The levels a query string asks for (`level=80,95`), or the defaults when it names none. */
export function levelsFromQuery(value: string | undefined, defaults: readonly number[]): number[] {
  return value === undefined ? [...defaults] : answered(() => levelsFromText(value, "level"));
}
