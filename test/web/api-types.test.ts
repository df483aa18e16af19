import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  apiTypesSource,
  DASHBOARD_RESPONSES,
  GENERATED_TYPES_FILE,
  responseSchema,
  serverOpenApiDocument,
  typeOf,
} from "../../scripts/api-types.ts";

describe("the dashboard's generated API types", () => {
  it("are what the server's route schemas make now (else run npm run gen:types)", async () => {
    const fresh = apiTypesSource(await serverOpenApiDocument(), DASHBOARD_RESPONSES);
    const committed = readFileSync(GENERATED_TYPES_FILE, "utf8");
    expect(committed, `${GENERATED_TYPES_FILE} is out of date: run npm run gen:types`).toBe(fresh);
  });

  it("include the ensemble's members and their cross-validation from GET /api/models/{id}", () => {
    const committed = readFileSync(GENERATED_TYPES_FILE, "utf8");
    expect(committed).toContain("export interface ModelDetail {");
    expect(committed).toMatch(/window_member\?: string;/);
    expect(committed).toMatch(/members\?: Record<string, \{\n\s+cv: \{/);
    expect(committed).toContain("export interface SeriesForecast {");
  });
});

describe("typeOf (OpenAPI schema to TypeScript)", () => {
  it("writes primitives, nullables, enums and unions, each member once", () => {
    expect(typeOf({ type: "integer" }, "x")).toBe("number");
    expect(typeOf({ type: "string", nullable: true }, "x")).toBe("string | null");
    expect(typeOf({ type: "string", enum: ["D", "W"] }, "x")).toBe('"D" | "W"');
    expect(typeOf({ anyOf: [{ type: "number" }, { type: "number", nullable: true }] }, "x")).toBe(
      "number | null",
    );
    expect(typeOf({ description: "anything" }, "x")).toBe("unknown");
  });

  it("writes arrays, records and objects with optional, quoted and documented keys", () => {
    expect(typeOf({ type: "array", items: { anyOf: [{ type: "string" }, { type: "number" }] } }, "x")).toBe(
      "(string | number)[]",
    );
    expect(
      typeOf({ type: "object", additionalProperties: { type: "array", items: { type: "number" } } }, "x"),
    ).toBe("Record<string, number[]>");
    const object = {
      type: "object",
      required: ["id"],
      properties: {
        id: { type: "integer", description: "the id" },
        "odd-key": { type: "boolean" },
        nested: { type: "object", properties: { at: { type: "string" } }, required: ["at"] },
      },
    };
    expect(typeOf(object, "x")).toBe(
      '{\n  /** the id */\n  id: number;\n  "odd-key"?: boolean;\n  nested?: {\n    at: string;\n  };\n}',
    );
  });

  it("refuses a keyword or type it does not know, naming where it is", () => {
    expect(() => typeOf({ type: "object", properties: { a: { $ref: "#/x" } } }, "Thing")).toThrow(
      "Thing.a: the type generator does not know the keyword '$ref'",
    );
    expect(() => typeOf({ type: "file" }, "Thing")).toThrow(
      "Thing: the type generator does not know the type 'file'",
    );
  });

  it("names the route when the document lacks a response", () => {
    expect(() =>
      responseSchema({ paths: {} }, { name: "Gone", method: "get", path: "/api/gone", status: "200" }),
    ).toThrow("the OpenAPI document has no JSON response for GET /api/gone 200");
  });
});
