import { describe, expect, it } from "vitest";
import { resolveColumns } from "../../src/data/columns.ts";
import { DataError } from "../../src/data/errors.ts";

const configured = { date: "Date", series: "Product Category", value: "Total Amount" };
const transactionsHeader = ["Transaction ID", "Date", "Product Category", "Quantity", "Total Amount"];

describe("resolveColumns", () => {
  it("tells the formats apart by the header when format is auto", () => {
    expect(resolveColumns(transactionsHeader, "auto", configured, "t.csv")).toMatchObject({
      format: "transactions",
      dateIndex: 1,
      seriesIndex: 2,
      valueIndex: 4,
    });
    expect(resolveColumns(["series_id", "date", "value"], "auto", configured, "l.csv")).toMatchObject({
      format: "long",
      names: { series: "series_id", date: "date", value: "value" },
      seriesIndex: 0,
    });
  });

  it("reads a long file by its configured columns when all are present", () => {
    const layout = resolveColumns(["Total Amount", "Product Category", "Date"], "long", configured, "l.csv");
    expect(layout).toMatchObject({ format: "long", names: configured, valueIndex: 0, dateIndex: 2 });
  });

  it("names a missing column and lists the columns found", () => {
    const header = ["Transaction ID", "Date", "Product Category", "Quantity"];
    const call = () => resolveColumns(header, "transactions", configured, "sales.csv");
    expect(call).toThrow(DataError);
    expect(call).toThrow(
      'sales.csv: missing column "Total Amount" for the transactions format; ' +
        "columns found: Transaction ID, Date, Product Category, Quantity",
    );
  });

  it("names the long columns missing from a long file", () => {
    expect(() => resolveColumns(["series_id", "day", "value"], "long", configured, "l.csv")).toThrow(
      'l.csv: missing column "date" for the long format; columns found: series_id, day, value',
    );
  });
});
