/** The quantiles a set of interval levels needs: each level's two bounds, and the median. */
export function levelQuantiles(levels: readonly number[]): number[] {
  const bounds = levels.flatMap((level) => [(100 - level) / 200, 1 - (100 - level) / 200]);
  return [...new Set([...bounds, 0.5])].sort((a, b) => a - b);
}

/** A level's name in answers and reports: `80`, `95`, `99.5`. */
export function levelKey(level: number): string {
  return String(level);
}

/** The most interval levels one request may ask for. */
export const MAX_LEVELS = 8;

/** A level list that breaks a rule; the message names the field and the rule. */
export class LevelError extends Error {
  override name = "LevelError";
}

/** Checks asked levels, each named `field[i]` in errors: numbers above 0 and below 100; duplicates dropped. */
export function checkedLevels(values: readonly unknown[], field: string): number[] {
  if (values.length > MAX_LEVELS) {
    throw new LevelError(`${field} must list at most ${MAX_LEVELS} levels, got ${values.length}`);
  }
  values.forEach((value, i) => {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new LevelError(
        `${field}[${i}] must be a number (a level in percent), got ${JSON.stringify(value)}`,
      );
    }
    if (!(value > 0 && value < 100)) {
      throw new LevelError(`${field}[${i}] must be above 0 and below 100 (percent), got ${value}`);
    }
  });
  return [...new Set(values as number[])];
}

/** Levels written as `80,95` (a query string, a CLI flag); an empty text asks for none. */
export function levelsFromText(text: string, field: string): number[] {
  const parts = text.trim() === "" ? [] : text.split(",").map((part) => part.trim());
  return checkedLevels(
    parts.map((part) => (part !== "" && Number.isFinite(Number(part)) ? Number(part) : part)),
    field,
  );
}
