import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SalesForecaster } from "../../src/forecast/index.ts";

const FOLDER = fileURLToPath(new URL("../fixtures/format1-model", import.meta.url));
const WINDOW = [100, 120, 90, 110, 130, 95, 105, 115, 125, 85, 100, 140, 120, 110];

describe("a model saved in artifact format 1", () => {
  let forecaster: SalesForecaster;
  beforeAll(async () => {
    forecaster = await SalesForecaster.load(FOLDER);
  });
  afterAll(() => forecaster.close());

  it("loads with series normalization and no stored forecasts", () => {
    expect(forecaster.normalizationMode).toBe("series");
    expect(forecaster.storedForecasts).toBeNull();
    expect(forecaster.windowSize).toBe(14);
  });

  it("answers as format 1's forecaster did (values recorded in test/fixtures/README.md)", async () => {
    const pooled = await forecaster.predict(WINDOW);
    const beauty = await forecaster.predict(WINDOW, "Beauty");
    expect(pooled.predicted_sales).toBeCloseTo(437.27536681472384, 3);
    expect(beauty.predicted_sales).toBeCloseTo(408.0932279357145, 3);
  });
});
