import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { forecastsSchema, normalizationSchema } from "../../src/artifact/format.ts";
import { isNormalization, isStoredForecasts } from "../../src/artifact/quick-checks.ts";
import { ArtifactError, checkedForecasts, checkedNormalization } from "../../src/artifact/store.ts";

/** Values near the rules' edges, and now and then any JSON value in place of the right one. */
const number = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -3, max: 20 }),
  fc.constantFrom(0, -0, 1, 0.5, 2 ** 53, 2 ** 53 - 1, -1e-300),
);
const or = <T>(right: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 60, arbitrary: right }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });
/** Mostly what a rule wants, sometimes any number. */
const mostly = (right: fc.Arbitrary<number>) =>
  or(fc.oneof({ weight: 30, arbitrary: right }, { weight: 1, arbitrary: number }));
const score = mostly(fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }));
const positive = mostly(fc.double({ min: Number.MIN_VALUE, noNaN: true, noDefaultInfinity: true }));
const key = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom("network", "linear", "s1", "x") },
  { weight: 1, arbitrary: fc.constantFrom("__proto__", "") },
  { weight: 2, arbitrary: fc.string({ maxLength: 3 }) },
);
const numbers = or(fc.array(or(number), { maxLength: 4 }));
const stepScores = or(fc.array(or(fc.array(score, { maxLength: 3 })), { maxLength: 3 }));

/** An object of `shape`'s keys, each present or not, maybe with an extra key. */
function object(shape: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  return or(
    fc
      .tuple(
        fc.record(shape, { requiredKeys: [] }),
        fc.record(shape),
        fc.tuple(key, fc.jsonValue({ maxDepth: 1 })),
        fc.integer({ min: 0, max: 99 }),
      )
      // mostly every key of the shape; now and then a few missing, or one more
      .map(([some, all, extra, pick]) => {
        const value: Record<string, unknown> = { ...(pick === 0 ? some : all) };
        if (pick === 1) value[extra[0]] = extra[1];
        return value;
      }),
  );
}

const entry = object({
  dates: or(fc.array(or(fc.string({ maxLength: 3 })), { maxLength: 3 })),
  values: numbers,
  members: or(fc.dictionary(key, numbers, { maxKeys: 3 })),
  weights: or(fc.dictionary(key, or(number), { maxKeys: 3 })),
  interval: object({ scale: positive, scores: stepScores }),
});
const forecasts = object({
  horizon: mostly(fc.integer({ min: 1, max: 30 })),
  calibration: object({ method: or(fc.constant("conformal")), pooled: stepScores, window: stepScores }),
  series: or(fc.dictionary(key, entry, { maxKeys: 3 })),
});
const stats = object({ mean: or(number), std: positive });
const normalization = object({
  mode: or(fc.constantFrom("series", "window", "pooled")),
  default: stats,
  series: or(fc.dictionary(key, stats, { maxKeys: 3 })),
  input_std_epsilon: score,
});
/** As read from a file: through JSON text and back, so `__proto__` is an own key as JSON.parse makes it. */
const asRead = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;
const fromFile = forecasts.map(asRead);

const hasProtoKey = (value: unknown): boolean =>
  typeof value === "object" &&
  value !== null &&
  (Object.hasOwn(value, "__proto__") || Object.values(value).some(hasProtoKey));

describe("the plain-loop checks of stored forecasts", () => {
  it("accept exactly what forecastsSchema accepts, but for __proto__ keys left to it", () => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(fromFile, (value) => {
        const schema = forecastsSchema.safeParse(value);
        if (hasProtoKey(value)) {
          // left to the schema: never accepted by the loops
          expect(isStoredForecasts(value)).toBe(false);
          return;
        }
        expect(isStoredForecasts(value)).toBe(schema.success);
        if (!schema.success) rejected++;
        if (schema.success) {
          accepted++;
          // what they accept is returned as it is: the schema's copy must equal it
          expect(schema.data).toEqual(value);
        }
      }),
      { numRuns: 1500 },
    );
    // the generator must reach both answers often
    expect(accepted).toBeGreaterThan(300);
    expect(rejected).toBeGreaterThan(300);
  });

  it("read a forecasts.json as the schema does: the same value, or the same error message", () => {
    fc.assert(
      fc.property(fromFile, (value) => {
        const schema = forecastsSchema.safeParse(value);
        if (schema.success) {
          expect(checkedForecasts("forecasts.json", value)).toEqual(schema.data);
        } else {
          const issue = schema.error.issues[0];
          const message = `forecasts.json is malformed: ${issue.path.join(".") || "(top level)"}: ${issue.message}`;
          expect(() => checkedForecasts("forecasts.json", value)).toThrow(new ArtifactError(message));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("reject one bad number among many, and a missing field", () => {
    const values = Array.from({ length: 1000 }, (_, i) => i / 7);
    const good = {
      horizon: 1000,
      series: { a: { dates: [], values, members: { network: values }, weights: { network: 1 } } },
    };
    expect(isStoredForecasts(good)).toBe(true);
    const bad = structuredClone(good);
    bad.series.a.members.network[999] = "1" as unknown as number;
    expect(isStoredForecasts(bad)).toBe(false);
    const { weights: _weights, ...withoutWeights } = good.series.a;
    expect(isStoredForecasts({ ...good, series: { a: withoutWeights } })).toBe(false);
  });

  it("accept exactly the normalization.json values normalizationSchema accepts, with the same errors", () => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(normalization.map(asRead), (value) => {
        const schema = normalizationSchema.safeParse(value);
        if (!hasProtoKey(value)) expect(isNormalization(value)).toBe(schema.success);
        else expect(isNormalization(value)).toBe(false);
        if (schema.success) {
          accepted++;
          expect(checkedNormalization("normalization.json", value)).toEqual(schema.data);
        } else {
          rejected++;
          const issue = schema.error.issues[0];
          const message = `normalization.json is malformed: ${issue.path.join(".") || "(top level)"}: ${issue.message}`;
          expect(() => checkedNormalization("normalization.json", value)).toThrow(new ArtifactError(message));
        }
      }),
      { numRuns: 1500 },
    );
    expect(accepted).toBeGreaterThan(300);
    expect(rejected).toBeGreaterThan(300);
  });
});
