/**
 * The dashboard's API types, written from the OpenAPI document the server makes of its own route schemas, so
 * the web app and the server share one source. `npm run gen:types` writes them; a test fails when the
 * committed file differs from what this makes now.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config/index.ts";
import { Registry } from "../src/registry/index.ts";
import { buildApp, createSeriesCatalog, ServingModels } from "../src/server/index.ts";

export const GENERATED_TYPES_FILE = "web/src/api/types.generated.ts";

/** A schema as the OpenAPI 3.0 document writes it: the subset the route schemas use. */
export interface Schema {
  type?: string;
  description?: string;
  nullable?: boolean;
  enum?: readonly unknown[];
  anyOf?: readonly Schema[];
  properties?: Record<string, Schema>;
  required?: readonly string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  [keyword: string]: unknown;
}

/** One named type: the body a route answers with for one status. */
export interface NamedResponse {
  name: string;
  method: "get" | "post";
  path: string;
  status: string;
}

/** The response bodies the dashboard reads, by the name it knows them under. */
export const DASHBOARD_RESPONSES: readonly NamedResponse[] = [
  { name: "Health", method: "get", path: "/api/health", status: "200" },
  { name: "Prediction", method: "post", path: "/api/predict/{series_id}", status: "200" },
  { name: "SeriesForecast", method: "get", path: "/api/forecast/{series_id}", status: "200" },
  { name: "AllForecasts", method: "get", path: "/api/forecast", status: "200" },
  { name: "SeriesList", method: "get", path: "/api/series", status: "200" },
  { name: "SeriesHistory", method: "get", path: "/api/series/{id}", status: "200" },
  { name: "SeriesCovariates", method: "get", path: "/api/series/{id}/covariates", status: "200" },
  { name: "HolidayList", method: "get", path: "/api/holidays", status: "200" },
  { name: "ModelList", method: "get", path: "/api/models", status: "200" },
  { name: "ModelDetail", method: "get", path: "/api/models/{id}", status: "200" },
  { name: "StageChange", method: "post", path: "/api/models/{id}/promote", status: "200" },
  { name: "TrainStarted", method: "post", path: "/api/train", status: "202" },
  { name: "TrainingRun", method: "get", path: "/api/train/{run_id}", status: "200" },
  { name: "ErrorBody", method: "get", path: "/api/series/{id}", status: "404" },
];

/** Keywords that only validate or document: they change no type. */
const ANNOTATIONS = new Set([
  "description",
  "example",
  "examples",
  "title",
  "default",
  "format",
  "pattern",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minItems",
  "maxItems",
  "uniqueItems",
]);
const STRUCTURE = new Set([
  "type",
  "nullable",
  "enum",
  "anyOf",
  "properties",
  "required",
  "additionalProperties",
  "items",
]);
const PRIMITIVES: Record<string, string> = {
  string: "string",
  number: "number",
  integer: "number",
  boolean: "boolean",
  null: "null",
};
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const INDENT = "  ";

/**
 * The TypeScript type of `schema`, nested objects written out in place, `indent` deep. A keyword outside the
 * known subset is an error naming where it is, so a new kind of schema never turns silently into `unknown`.
 */
export function typeOf(schema: Schema, where: string, indent = ""): string {
  return [...new Set(unionMembers(schema, where, indent))].join(" | ");
}

/** The members of the union a schema stands for (one for most), each written out. */
function unionMembers(schema: Schema, where: string, indent: string): string[] {
  for (const keyword of Object.keys(schema)) {
    if (!ANNOTATIONS.has(keyword) && !STRUCTURE.has(keyword)) {
      throw new Error(`${where}: the type generator does not know the keyword '${keyword}'`);
    }
  }
  const members =
    schema.anyOf !== undefined
      ? schema.anyOf.flatMap((member, i) => unionMembers(member, `${where}.anyOf[${i}]`, indent))
      : schema.enum !== undefined
        ? schema.enum.map((value) => JSON.stringify(value))
        : [singleType(schema, where, indent)];
  return schema.nullable === true ? [...members, "null"] : members;
}

function singleType(schema: Schema, where: string, indent: string): string {
  if (schema.type === undefined) return "unknown";
  const primitive = PRIMITIVES[schema.type];
  if (primitive !== undefined) return primitive;
  if (schema.type === "array") {
    if (schema.items === undefined) return "unknown[]";
    const items = [...new Set(unionMembers(schema.items, `${where}[]`, indent))];
    return items.length === 1 ? `${items[0]}[]` : `(${items.join(" | ")})[]`;
  }
  if (schema.type === "object") return objectType(schema, where, indent);
  throw new Error(`${where}: the type generator does not know the type '${schema.type}'`);
}

function objectType(schema: Schema, where: string, indent: string): string {
  const { properties, additionalProperties } = schema;
  if (properties === undefined || Object.keys(properties).length === 0) {
    if (typeof additionalProperties === "object") {
      return `Record<string, ${typeOf(additionalProperties, `${where}[key]`, indent)}>`;
    }
    return "Record<string, unknown>";
  }
  if (typeof additionalProperties === "object") {
    throw new Error(
      `${where}: the type generator does not know objects with both properties and additionalProperties`,
    );
  }
  const required = new Set(schema.required ?? []);
  const inner = indent + INDENT;
  const lines = Object.entries(properties).flatMap(([key, property]) => {
    const name = IDENTIFIER.test(key) ? key : JSON.stringify(key);
    const optional = required.has(key) ? "" : "?";
    return [
      ...docComment(property.description, inner),
      `${inner}${name}${optional}: ${typeOf(property, `${where}.${key}`, inner)};`,
    ];
  });
  return `{\n${lines.join("\n")}\n${indent}}`;
}

function docComment(description: string | undefined, indent: string): string[] {
  if (description === undefined || description === "") return [];
  return [`${indent}/** ${description.replaceAll("*/", "*\\/")} */`];
}

interface OpenApiDocument {
  paths: Record<
    string,
    Record<string, { responses?: Record<string, { content?: Record<string, { schema?: Schema }> }> }>
  >;
}

/** The JSON body schema of one route's response, or an error naming the route that lacks it. */
export function responseSchema(document: OpenApiDocument, named: NamedResponse): Schema {
  const route = `${named.method.toUpperCase()} ${named.path} ${named.status}`;
  const schema =
    document.paths[named.path]?.[named.method]?.responses?.[named.status]?.content?.["application/json"]
      ?.schema;
  if (schema === undefined) throw new Error(`the OpenAPI document has no JSON response for ${route}`);
  return schema;
}

/** The generated file: one exported type per named response, each with the route it comes from. */
export function apiTypesSource(document: OpenApiDocument, responses: readonly NamedResponse[]): string {
  const header = [
    "// Generated by `npm run gen:types` from the server's OpenAPI document (its route schemas): do not edit.",
    "// test/web/api-types.test.ts fails when this file is out of date.",
  ];
  const types = responses.map((named) => {
    const schema = responseSchema(document, named);
    const route = `${named.method.toUpperCase()} ${named.path} (${named.status})`;
    const doc = schema.description ? `${schema.description}: ${route}` : route;
    const type = typeOf(schema, named.name);
    const declaration = type.startsWith("{")
      ? `export interface ${named.name} ${type}`
      : `export type ${named.name} = ${type};`;
    return [...docComment(doc, ""), declaration].join("\n");
  });
  return `${[...header, "", types.join("\n\n")].join("\n")}\n`;
}

/**
 * The OpenAPI document of a server with every route: an app over an empty registry (in a temporary folder,
 * removed after), no serving model and no series, since the routes and their schemas do not depend on them.
 */
export async function serverOpenApiDocument(configFile = "config/config.yaml"): Promise<OpenApiDocument> {
  const dir = mkdtempSync(join(tmpdir(), "salescast-openapi-"));
  try {
    const config = loadConfig(configFile, [`registry.path=${JSON.stringify(join(dir, "registry.db"))}`], {});
    const registry = await Registry.open(config.registry);
    try {
      const models = new ServingModels({ microBatchMax: config.server.micro_batch_max });
      const app = await buildApp({ config, models, registry, catalog: createSeriesCatalog([]) });
      try {
        await app.ready();
        return app.swagger() as unknown as OpenApiDocument;
      } finally {
        await app.close();
      }
    } finally {
      await registry.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
