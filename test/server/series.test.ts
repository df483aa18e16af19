import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LoadConfig } from "../../src/data/index.ts";
import { createBaseApp, type SalescastApp } from "../../src/server/base-app.ts";
import { registerDocs } from "../../src/server/routes/docs.ts";
import { registerSeriesRoutes } from "../../src/server/routes/series.ts";
import {
  backgroundSeriesCatalog,
  loadSeriesCatalog,
  type SeriesCatalog,
} from "../../src/server/series-catalog.ts";
import { writeTempCsv } from "../data/temp-csv.ts";

// Two daily series in the long format; "b" has no row on 2024-01-03, a period without sales.
const CSV = `series_id,date,value
a,2024-01-01,10
a,2024-01-02,11
a,2024-01-03,12
a,2024-01-04,13
a,2024-01-05,14
b,2024-01-01,5
b,2024-01-02,6
b,2024-01-04,8
b,2024-01-05,9
`;

const config: LoadConfig = {
  csv_path: writeTempCsv(CSV),
  format: "long",
  date_column: "date",
  series_column: "series_id",
  value_column: "value",
  frequency: "D",
  window_size: 3,
  horizon: 1,
  short_series: "skip",
};

let app: SalescastApp;

beforeAll(async () => {
  app = createBaseApp({ bodyLimit: 1024 });
  await registerDocs(app, "test");
  registerSeriesRoutes(app, { catalog: await loadSeriesCatalog(config) });
  await app.ready();
});

afterAll(() => app.close());

const get = (url: string) => app.inject({ method: "GET", url });

describe("GET /api/series", () => {
  it("lists every series with its frequency, length, first and last date and last value", async () => {
    const response = await get("/api/series");
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      series: [
        {
          id: "a",
          frequency: "D",
          length: 5,
          first_date: "2024-01-01",
          last_date: "2024-01-05",
          last_value: 14,
        },
        {
          id: "b",
          frequency: "D",
          length: 5,
          first_date: "2024-01-01",
          last_date: "2024-01-05",
          last_value: 9,
        },
      ],
    });
  });
});

describe("GET /api/series/{id}", () => {
  it("answers the whole history without a range, a missing period as 0", async () => {
    const response = await get("/api/series/b");
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      id: "b",
      frequency: "D",
      dates: ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"],
      values: [5, 6, 0, 8, 9],
    });
  });

  it("bounds the history by start and end, both inclusive", async () => {
    const response = await get("/api/series/a?start=2024-01-02&end=2024-01-04");
    expect(response.json()).toMatchObject({
      dates: ["2024-01-02", "2024-01-03", "2024-01-04"],
      values: [11, 12, 13],
    });
  });

  it("takes an open end when only one bound is given, and dates between periods", async () => {
    expect((await get("/api/series/a?start=2024-01-04")).json().values).toEqual([13, 14]);
    expect((await get("/api/series/a?end=2024-01-01")).json().values).toEqual([10]);
    expect((await get("/api/series/a?start=2023-12-01&end=2023-12-31")).json().values).toEqual([]);
  });

  it("answers 404 for an unknown id, path-like ones included, naming where the ids are listed", async () => {
    for (const id of ["toys", "..%2F..%2Fetc%2Fpasswd", "__proto__", "constructor"]) {
      const response = await get(`/api/series/${id}`);
      expect(response.statusCode, id).toBe(404);
      expect(response.json()).toMatchObject({
        error: "unknown_series",
        message: expect.stringContaining("GET /api/series lists the known ids"),
      });
    }
  });

  it.each([
    ["start=2024-13-01", "start must be a calendar date YYYY-MM-DD, got '2024-13-01'"],
    ["start=2023-02-29", "start must be a calendar date YYYY-MM-DD, got '2023-02-29'"],
    ["end=yesterday", "end must be a calendar date YYYY-MM-DD, got 'yesterday'"],
    ["end=2024-1-05", "end must be a calendar date YYYY-MM-DD, got '2024-1-05'"],
    ["start=2024-01-05&end=2024-01-01", "start (2024-01-05) must not be after end (2024-01-01)"],
  ])("answers 400 for %s, naming the parameter", async (query, message) => {
    const response = await get(`/api/series/a?${query}`);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: "invalid_request", message });
  });

  it("accepts a leap day and a one-day range", async () => {
    const response = await get("/api/series/a?start=2024-01-03&end=2024-01-03");
    expect(response.json().values).toEqual([12]);
    expect((await get("/api/series/a?end=2024-02-29")).statusCode).toBe(200);
  });
});

describe("the OpenAPI document", () => {
  it("describes both routes, the range parameters and the error answers", async () => {
    const spec = (await get("/openapi.json")).json();
    expect(spec.paths["/api/series"].get.tags).toEqual(["series"]);
    const one = spec.paths["/api/series/{id}"].get;
    const parameters = Object.fromEntries(
      one.parameters.map((p: { name: string; in: string; description: string }) => [p.name, p]),
    );
    expect(parameters.id).toMatchObject({ in: "path", required: true });
    expect(parameters.start).toMatchObject({
      in: "query",
      description: expect.stringContaining("YYYY-MM-DD"),
    });
    expect(parameters.end).toMatchObject({ in: "query", description: expect.stringContaining("YYYY-MM-DD") });
    expect(Object.keys(one.responses).sort()).toEqual(["200", "400", "404", "503"]);
  });
});

describe("a catalog read in the background", () => {
  async function appOver(catalog: SeriesCatalog): Promise<SalescastApp> {
    const server = createBaseApp({ bodyLimit: 1024 });
    registerSeriesRoutes(server, { catalog });
    await server.ready();
    return server;
  }

  it("answers 503 while the file is read, then the series", async () => {
    let finish: (catalog: SeriesCatalog) => void = () => {};
    const loading = new Promise<SeriesCatalog>((resolve) => {
      finish = resolve;
    });
    const server = await appOver(backgroundSeriesCatalog(loading, "sales.csv"));
    try {
      const early = await server.inject({ method: "GET", url: "/api/series/a" });
      expect(early.statusCode).toBe(503);
      expect(early.json()).toEqual({
        error: "series_unavailable",
        message: "the sales history (sales.csv) is still being read at the server's start; try again shortly",
      });
      finish(await loadSeriesCatalog(config));
      await loading;
      const list = await server.inject({ method: "GET", url: "/api/series" });
      expect(list.statusCode).toBe(200);
      expect(list.json().series.map((s: { id: string }) => s.id)).toEqual(["a", "b"]);
    } finally {
      await server.close();
    }
  });

  it("answers 503 naming why a file that cannot be read was not read", async () => {
    const loading = loadSeriesCatalog({ ...config, csv_path: "/no/such/sales.csv" });
    const server = await appOver(backgroundSeriesCatalog(loading, "/no/such/sales.csv"));
    try {
      await loading.catch(() => {});
      const response = await server.inject({ method: "GET", url: "/api/series" });
      expect(response.statusCode).toBe(503);
      // the answer names the file without its folders, as every answer does
      expect(response.json().message).toBe(
        "the sales history could not be read from …/sales.csv: …/sales.csv: no such file",
      );
    } finally {
      await server.close();
    }
  });
});
