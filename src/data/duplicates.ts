/** The days that occur more than once, found by sorting a copy (no set of every day kept). */
export function findDuplicateDays(days: ArrayLike<number>): Set<number> {
  const sorted = Int32Array.from(days).sort();
  const repeated = new Set<number>();
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) repeated.add(sorted[i]);
  return repeated;
}
