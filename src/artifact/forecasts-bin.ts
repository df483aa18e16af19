import { createHash } from "node:crypto";
import { z } from "zod";
import { calibrationSchema, type StoredForecasts } from "./format.ts";

/**
 * Format 4's stored forecasts: forecasts.json keeps the ids, dates, names and calibration, forecasts.bin
 * the numbers, as columns of float64 (little endian) that forecasts.json places by byte offset and length
 * (in numbers). Every series has `horizon` values and per member `horizon` values and a weight, and the
 * index of its dates among the distinct lists of dates (series that end on the same day share one); with
 * intervals, a scale and per step a count of its scores, then all its scores, and for a head-scaled
 * calibration its head half-widths per level (`width:80`, ...). A model of 100k series read
 * its 100+ MB of JSON numbers for seconds; the columns are read as they lie.
 */
export const FORECASTS_BIN_FILE = "forecasts.bin";

const column = z.strictObject({
  offset: z
    .number()
    .int()
    .nonnegative()
    .refine((v) => v % 8 === 0, "must be a multiple of 8"),
  length: z.number().int().nonnegative(),
});

const strings = z.custom<string[]>(
  (value) => Array.isArray(value) && value.every((v) => typeof v === "string"),
  "must be an array of strings",
);

/** forecasts.json of format 4. */
export const binaryForecastsSchema = z.strictObject({
  horizon: z.number().int().positive(),
  calibration: calibrationSchema.optional(),
  series: strings,
  /** The distinct lists of dates; column `dates` gives each series' index in it. */
  dates: z.array(strings),
  members: z.array(z.string()),
  weights: z.array(z.string()),
  intervals: z.boolean(),
  bin: z.strictObject({ bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  columns: z.record(z.string(), column),
});
export type BinaryForecasts = z.infer<typeof binaryForecastsSchema>;

/** Stored forecasts that format 4 cannot hold (series of other lengths or members): a bug of the caller. */
function unlike(id: string, what: string): Error {
  return new Error(`stored forecasts of format 4 need every series alike: series '${id}' ${what}`);
}

const sameNames = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((name, i) => name === b[i]);

/** forecasts.json's text and forecasts.bin's bytes of stored forecasts. */
export function encodeForecasts(forecasts: StoredForecasts): { json: string; bin: Uint8Array } {
  const { horizon } = forecasts;
  const ids = Object.keys(forecasts.series);
  const entries = ids.map((id) => forecasts.series[id]);
  const members = entries.length === 0 ? [] : Object.keys(entries[0].members);
  const weights = entries.length === 0 ? [] : Object.keys(entries[0].weights);
  const intervals = entries.length > 0 && entries[0].interval !== undefined;
  const widthKeys = Object.keys(forecasts.calibration?.head_scaled?.quantiles ?? {});
  let scoreCount = 0;
  const dateLists = new Map<string, number>();
  const dateIndex = entries.map((entry) => {
    const key = JSON.stringify(entry.dates);
    let index = dateLists.get(key);
    if (index === undefined) {
      index = dateLists.size;
      dateLists.set(key, index);
    }
    return index;
  });
  entries.forEach((entry, s) => {
    const id = ids[s];
    if (entry.values.length !== horizon)
      throw unlike(id, `has ${entry.values.length} values, not ${horizon}`);
    if (!sameNames(Object.keys(entry.members), members)) throw unlike(id, "has other members");
    for (const name of members) {
      if (entry.members[name].length !== horizon)
        throw unlike(id, `has a member '${name}' of another length`);
    }
    if (!sameNames(Object.keys(entry.weights), weights)) throw unlike(id, "has other weights");
    if ((entry.interval !== undefined) !== intervals) throw unlike(id, "differs in having an interval");
    if (entry.interval !== undefined) {
      if (entry.interval.scores.length !== horizon)
        throw unlike(id, `has scores for other than ${horizon} steps`);
      for (const step of entry.interval.scores) scoreCount += step.length;
      for (const key of widthKeys) {
        if (entry.interval.widths?.[key]?.length !== horizon)
          throw unlike(id, `has no head half-widths of level ${key} for ${horizon} steps`);
      }
    }
  });
  const lengths: [string, number][] = [
    ["dates", ids.length],
    ["values", ids.length * horizon],
    ...members.map((name): [string, number] => [`member:${name}`, ids.length * horizon]),
    ...weights.map((name): [string, number] => [`weight:${name}`, ids.length]),
    ...(intervals
      ? ([
          ["scale", ids.length],
          ["score_counts", ids.length * horizon],
          ["scores", scoreCount],
          ...widthKeys.map((key): [string, number] => [`width:${key}`, ids.length * horizon]),
        ] as [string, number][])
      : []),
  ];
  const columns: Record<string, { offset: number; length: number }> = {};
  let total = 0;
  for (const [name, length] of lengths) {
    columns[name] = { offset: total * 8, length };
    total += length;
  }
  const numbers = new Float64Array(total);
  const view = new DataView(numbers.buffer);
  // little endian whatever the machine's order
  const put = (name: string, at: number, value: number) =>
    view.setFloat64(columns[name].offset + at * 8, value, true);
  let scoreAt = 0;
  entries.forEach((entry, s) => {
    put("dates", s, dateIndex[s]);
    for (let k = 0; k < horizon; k++) put("values", s * horizon + k, entry.values[k]);
    for (const name of members) {
      const values = entry.members[name];
      for (let k = 0; k < horizon; k++) put(`member:${name}`, s * horizon + k, values[k]);
    }
    for (const name of weights) put(`weight:${name}`, s, entry.weights[name]);
    if (entry.interval !== undefined) {
      put("scale", s, entry.interval.scale);
      entry.interval.scores.forEach((step, h) => {
        put("score_counts", s * horizon + h, step.length);
        for (const score of step) put("scores", scoreAt++, score);
      });
      for (const key of widthKeys) {
        const widths = entry.interval.widths?.[key] ?? [];
        for (let k = 0; k < horizon; k++) put(`width:${key}`, s * horizon + k, widths[k]);
      }
    }
  });
  const bin = new Uint8Array(numbers.buffer);
  const index: BinaryForecasts = {
    horizon,
    ...(forecasts.calibration === undefined ? {} : { calibration: forecasts.calibration }),
    series: ids,
    dates: [...dateLists.keys()].map((key) => JSON.parse(key) as string[]),
    members,
    weights,
    intervals,
    bin: { bytes: bin.length, sha256: createHash("sha256").update(bin).digest("hex") },
    columns,
  };
  return { json: `${JSON.stringify(index)}\n`, bin };
}

/** A forecasts.bin that does not hold what forecasts.json says: the message names the rule broken. */
export class BinaryForecastsError extends Error {
  override name = "BinaryForecastsError";
}

const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/** The float64 numbers of `bytes` (little endian), read in place when they are aligned on this machine. */
function float64s(bytes: Uint8Array): Float64Array {
  const count = bytes.length / 8;
  if (LITTLE_ENDIAN && bytes.byteOffset % 8 === 0)
    return new Float64Array(bytes.buffer, bytes.byteOffset, count);
  const numbers = new Float64Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let i = 0; i < count; i++) numbers[i] = view.getFloat64(i * 8, true);
  return numbers;
}

/**
 * The stored forecasts of a checked forecasts.json of format 4 and the bytes of its forecasts.bin: the file's
 * size and checksum as forecasts.json says, every column where and as long as it must be, the numbers within
 * their rules (finite; scales above 0; scores and their counts not negative). Throws BinaryForecastsError.
 */
export function decodeForecasts(index: BinaryForecasts, bytes: Uint8Array): StoredForecasts {
  const { horizon, series: ids } = index;
  if (bytes.length !== index.bin.bytes) {
    throw new BinaryForecastsError(
      `${bytes.length < index.bin.bytes ? "is truncated" : "is longer than it should be"}: forecasts.json says ${index.bin.bytes} bytes, the file has ${bytes.length}`,
    );
  }
  const actual = createHash("sha256").update(bytes).digest("hex");
  if (actual !== index.bin.sha256) {
    throw new BinaryForecastsError(
      `does not match its checksum in forecasts.json (expected ${index.bin.sha256}, got ${actual})`,
    );
  }
  const numbers = float64s(bytes);
  const columnOf = (name: string, length: number): Float64Array => {
    const place = index.columns[name];
    if (place === undefined) throw new BinaryForecastsError(`has no column '${name}'`);
    if (place.length !== length) {
      throw new BinaryForecastsError(`column '${name}' holds ${place.length} numbers, not ${length}`);
    }
    if (place.offset + place.length * 8 > bytes.length) {
      throw new BinaryForecastsError(`column '${name}' runs past the end of the file`);
    }
    return numbers.subarray(place.offset / 8, place.offset / 8 + length);
  };
  /** A column's numbers, checked; `seriesOf(i)` the series whose number i is. */
  const checked = (
    name: string,
    values: Float64Array,
    holds: (v: number) => boolean,
    rule: string,
    seriesOf = (i: number) => ids[Math.floor(i / (values.length / ids.length))],
  ) => {
    for (let i = 0; i < values.length; i++) {
      if (!holds(values[i])) {
        throw new BinaryForecastsError(
          `column '${name}' of series '${seriesOf(i)}': must be ${rule}, got ${values[i]}`,
        );
      }
    }
    return values;
  };
  const finite = (name: string, length: number) =>
    checked(name, columnOf(name, length), Number.isFinite, "finite numbers");
  const perStep = ids.length * horizon;
  const dateIndex = checked(
    "dates",
    columnOf("dates", ids.length),
    (v) => Number.isSafeInteger(v) && v >= 0 && v < index.dates.length,
    `indexes of forecasts.json's ${index.dates.length} lists of dates`,
  );
  const values = finite("values", perStep);
  const members = index.members.map((name) => finite(`member:${name}`, perStep));
  const weights = index.weights.map((name) => finite(`weight:${name}`, ids.length));
  const scales = index.intervals
    ? checked(
        "scale",
        columnOf("scale", ids.length),
        (v) => Number.isFinite(v) && v > 0,
        "finite numbers > 0",
      )
    : null;
  const counts = index.intervals
    ? checked(
        "score_counts",
        columnOf("score_counts", perStep),
        (v) => Number.isSafeInteger(v) && v >= 0,
        "counts",
      )
    : null;
  let scoreCount = 0;
  if (counts !== null) for (let i = 0; i < counts.length; i++) scoreCount += counts[i];
  const scores =
    counts === null
      ? null
      : checked(
          "scores",
          columnOf("scores", scoreCount),
          (v) => Number.isFinite(v) && v >= 0,
          "finite numbers >= 0",
          // the series' scores lie one after another, as many as their counts say
          (i) => {
            let end = 0;
            for (let at = 0; at < counts.length; at++) {
              end += counts[at];
              if (i < end) return ids[Math.floor(at / horizon)];
            }
            return ids[ids.length - 1];
          },
        );
  const widthKeys = index.intervals ? Object.keys(index.calibration?.head_scaled?.quantiles ?? {}) : [];
  const widths = widthKeys.map((key) =>
    checked(
      `width:${key}`,
      columnOf(`width:${key}`, perStep),
      (v) => Number.isFinite(v) && v >= 0,
      "finite numbers >= 0",
    ),
  );
  const series: StoredForecasts["series"] = {};
  let scoreAt = 0;
  ids.forEach((id, s) => {
    const at = s * horizon;
    const entry: StoredForecasts["series"][string] = {
      // shared by the series that end on the same day, as every reader only reads them
      dates: index.dates[dateIndex[s]],
      values: numberArray(values, at, horizon),
      members: {},
      weights: {},
    };
    index.members.forEach((name, m) => {
      entry.members[name] = numberArray(members[m], at, horizon);
    });
    index.weights.forEach((name, w) => {
      entry.weights[name] = weights[w][s];
    });
    if (scales !== null && counts !== null && scores !== null) {
      const steps: number[][] = [];
      for (let h = 0; h < horizon; h++) {
        const count = counts[at + h];
        steps.push(count === 0 ? NO_SCORES : numberArray(scores, scoreAt, count));
        scoreAt += count;
      }
      entry.interval = { scale: scales[s], scores: steps };
      if (widthKeys.length > 0) {
        entry.interval.widths = Object.fromEntries(
          widthKeys.map((key, w) => [key, numberArray(widths[w], at, horizon)]),
        );
      }
    }
    if (Object.hasOwn(series, id))
      throw new BinaryForecastsError(`forecasts.json lists series '${id}' twice`);
    // an own key even for `__proto__`, which an assignment would take for the prototype
    Object.defineProperty(series, id, { value: entry, enumerable: true, writable: true, configurable: true });
  });
  return {
    horizon,
    ...(index.calibration === undefined ? {} : { calibration: index.calibration }),
    series,
  };
}

/**
 * A step without scores, one array for all: most series have none of their own (only a sample is
 * cross-validated), and a model of 100k series made over a million empty arrays. Frozen, so that a change
 * to it throws instead of reaching every series.
 */
const NO_SCORES = Object.freeze([]) as unknown as number[];

/** `length` numbers of `column` from `start`, as the plain array the rest of the code reads. */
function numberArray(column: Float64Array, start: number, length: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < length; i++) out.push(column[start + i]);
  return out;
}
