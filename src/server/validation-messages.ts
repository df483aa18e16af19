/** Turns Ajv's schema errors into messages that name the field in the body's own terms. */

/** The parts of an Ajv error that the messages use (Ajv runs with `verbose`, so `data` is the bad value). */
export interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  data?: unknown;
}

/** "/items/3/series" in the body → "items[3].series"; the body itself → "body". */
export function fieldPath(context: string, instancePath: string): string {
  const parts = instancePath.split("/").slice(1);
  if (parts.length === 0) return context;
  return parts.reduce(
    (path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part),
    "",
  );
}

const TYPE_NOUNS: Record<string, string> = {
  number: "a finite number",
  integer: "an integer",
  string: "a string",
  object: "a JSON object",
  array: "an array",
  boolean: "true or false",
};

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") {
    const shown = value.length > 20 ? `${value.slice(0, 20)}...` : value;
    return `the string ${JSON.stringify(shown)}`;
  }
  if (typeof value === "object") return "an object";
  return String(value);
}

export interface FieldProblem {
  field: string;
  message: string;
}

/** The field an Ajv error is about (for a missing or unexpected field, that field) and what is wrong. */
export function schemaProblem(context: string, error: SchemaError): FieldProblem {
  const where = fieldPath(context, error.instancePath);
  const child = (name: unknown) => (where === context ? String(name) : `${where}.${String(name)}`);
  const { params, data } = error;
  const count = Array.isArray(data) ? `, got ${data.length}` : "";
  switch (error.keyword) {
    case "type": {
      const expected = String(params.type);
      return {
        field: where,
        message: `${where} must be ${TYPE_NOUNS[expected] ?? expected}, got ${describe(data)}`,
      };
    }
    case "required":
      return {
        field: child(params.missingProperty),
        message: `${where} is missing the required field '${String(params.missingProperty)}'`,
      };
    case "additionalProperties":
      return {
        field: child(params.additionalProperty),
        message: `${where} has an unexpected field '${String(params.additionalProperty)}'`,
      };
    case "maxItems":
      return { field: where, message: `${where} must hold at most ${String(params.limit)} entries${count}` };
    case "minItems":
      return { field: where, message: `${where} must hold at least ${String(params.limit)} entries${count}` };
    default:
      return { field: where, message: `${where} ${error.message ?? "is invalid"}` };
  }
}
