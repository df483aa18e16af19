/**
 * The rules of `forecastsSchema` and `normalizationSchema` (format.ts) as plain loops over a parsed
 * forecasts.json and normalization.json: a model of 100k series holds millions of numbers and 100k
 * normalization records, and the schemas' check (which also copies every object it checks) took over a
 * second of every read. These accept exactly the JSON values the schema accepts (a property test holds
 * them to it), but for a `__proto__` key, which they leave to the schema. A value they reject is checked by the
 * schema again, which gives its message (so errors read as they did) or, for such a key, its copy.
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** An object whose keys are all among `required` and `optional`, with every required one present. */
function hasOnlyKeys(value: Json, required: readonly string[], optional: readonly string[] = []): boolean {
  for (const key of required) if (value[key] === undefined) return false;
  for (const key of Object.keys(value)) if (!required.includes(key) && !optional.includes(key)) return false;
  return true;
}

const isFiniteNumber = (value: unknown): value is number =>
  typeof value === "number" && Number.isFinite(value);

export function isFiniteNumbers(value: unknown): value is number[] {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) if (!isFiniteNumber(value[i])) return false;
  return true;
}

function isStrings(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== "string") return false;
  return true;
}

/** Conformal scores per step: an array of arrays of finite numbers >= 0. */
export function isStepScores(value: unknown): value is number[][] {
  if (!Array.isArray(value)) return false;
  for (const step of value) {
    if (!Array.isArray(step)) return false;
    for (let i = 0; i < step.length; i++) {
      const score = step[i];
      if (!isFiniteNumber(score) || score < 0) return false;
    }
  }
  return true;
}

/**
 * A record of entries that all hold. A `__proto__` key (which JSON.parse makes an own key) is left to the
 * schema, which drops it: false here, so the schema decides.
 */
function isRecordOf(value: unknown, holds: (entry: unknown) => boolean): boolean {
  if (!isObject(value)) return false;
  for (const key in value) {
    if (key === "__proto__" || !holds(value[key])) return false;
  }
  return true;
}

function isCalibration(value: unknown): boolean {
  return (
    isObject(value) &&
    hasOnlyKeys(value, ["method", "pooled", "window"]) &&
    value.method === "conformal" &&
    isStepScores(value.pooled) &&
    isStepScores(value.window)
  );
}

function isInterval(value: unknown): boolean {
  return (
    isObject(value) &&
    hasOnlyKeys(value, ["scale", "scores"]) &&
    isFiniteNumber(value.scale) &&
    value.scale > 0 &&
    isStepScores(value.scores)
  );
}

function isSeriesEntry(value: unknown): boolean {
  return (
    isObject(value) &&
    hasOnlyKeys(value, ["dates", "values", "members", "weights"], ["interval"]) &&
    isStrings(value.dates) &&
    isFiniteNumbers(value.values) &&
    isRecordOf(value.members, isFiniteNumbers) &&
    isRecordOf(value.weights, isFiniteNumber) &&
    (value.interval === undefined || isInterval(value.interval))
  );
}

/** Whether a parsed forecasts.json is what `forecastsSchema` accepts. */
export function isStoredForecasts(value: unknown): boolean {
  return (
    isObject(value) &&
    hasOnlyKeys(value, ["horizon", "series"], ["calibration"]) &&
    typeof value.horizon === "number" &&
    Number.isSafeInteger(value.horizon) &&
    value.horizon > 0 &&
    (value.calibration === undefined || isCalibration(value.calibration)) &&
    isRecordOf(value.series, isSeriesEntry)
  );
}

function isSeriesStats(value: unknown): boolean {
  return (
    isObject(value) &&
    hasOnlyKeys(value, ["mean", "std"]) &&
    isFiniteNumber(value.mean) &&
    isFiniteNumber(value.std) &&
    value.std > 0
  );
}

/** Whether a parsed normalization.json is what `normalizationSchema` accepts. */
export function isNormalization(value: unknown): boolean {
  return (
    isObject(value) &&
    hasOnlyKeys(value, ["default", "series"], ["mode", "input_std_epsilon"]) &&
    (value.mode === undefined || value.mode === "series" || value.mode === "window") &&
    isSeriesStats(value.default) &&
    isRecordOf(value.series, isSeriesStats) &&
    (value.input_std_epsilon === undefined ||
      (isFiniteNumber(value.input_std_epsilon) && value.input_std_epsilon >= 0))
  );
}
