import { describe, expect, it } from "vitest";
import type { ModelFeatures, SeriesCovariates } from "../../web/src/api/types.ts";
import { fileFutureCells, windowFeatures } from "../../web/src/lib/window-features.ts";

const features: ModelFeatures = {
  calendar: false,
  holidays: { country: "US", types: ["public"] },
  covariates: [
    { name: "promo", known_future: true },
    { name: "temperature", known_future: false },
  ],
};

// rows for four weeks; the window is the first two, the horizon the last two
const file: SeriesCovariates = {
  id: "a",
  names: ["promo", "temperature"],
  known_future: ["promo"],
  dates: ["2021-01-01", "2021-01-08", "2021-01-15", "2021-01-22"],
  values: { promo: [0, 1, 1, 0], temperature: [3.5, 4, 9, 9] },
};
const windowDates = ["2021-01-01", "2021-01-08"];
const horizonDates = ["2021-01-15", "2021-01-22"];

describe("windowFeatures", () => {
  it("sends the window's values of every covariate and the typed horizon of the known-future ones", () => {
    const typed = { promo: ["0", " 2.5 "] };
    expect(windowFeatures(features, file, windowDates, horizonDates, typed)).toEqual({
      start: "2021-01-01",
      covariates: { promo: [0, 1, 0, 2.5], temperature: [3.5, 4] },
    });
  });

  it("opens the horizon cells with the file's values, empty where it has no row", () => {
    expect(fileFutureCells(features, file, horizonDates)).toEqual({ promo: ["1", "0"] });
    expect(fileFutureCells(features, file, ["2021-01-22", "2021-01-29"])).toEqual({ promo: ["0", ""] });
  });

  it("names the covariate and the date of a missing row or of a cell that is not a number", () => {
    const late = ["2020-12-25", "2021-01-01"];
    expect(windowFeatures(features, file, late, horizonDates, { promo: ["1", "0"] })).toEqual(
      new Error("the covariates file has no promo for 2020-12-25, in the window"),
    );
    expect(windowFeatures(features, file, windowDates, horizonDates, { promo: ["1", "x"] })).toEqual(
      new Error("promo for 2021-01-22 must be a number, got “x”"),
    );
    expect(windowFeatures(features, file, windowDates, horizonDates, { promo: ["", "0"] })).toEqual(
      new Error("promo for 2021-01-15 must be a number, got “”"),
    );
  });

  it("needs no file for a model of calendar and holidays alone", () => {
    const datesOnly = { ...features, covariates: [] };
    expect(windowFeatures(datesOnly, undefined, windowDates, horizonDates, {})).toEqual({
      start: "2021-01-01",
      covariates: {},
    });
  });
});
