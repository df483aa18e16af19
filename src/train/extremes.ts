/**
 * The smallest and largest of many numbers: `Math.min(...values)` passes every value as an argument, which
 * overflows the call stack past about a hundred thousand of them (one per series).
 */
export function smallest(values: readonly number[], empty = Number.POSITIVE_INFINITY): number {
  let result = empty;
  for (const value of values) if (value < result) result = value;
  return result;
}

export function largest(values: readonly number[], empty = Number.NEGATIVE_INFINITY): number {
  let result = empty;
  for (const value of values) if (value > result) result = value;
  return result;
}
