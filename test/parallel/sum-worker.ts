/** A pool worker for the pool's tests: sums its numbers, throws on a negative one, exits on NaN. */
import { serveTasks } from "../../src/parallel/index.ts";

serveTasks((numbers: number[]) => {
  if (numbers.some(Number.isNaN)) process.exit(3);
  if (numbers.some((n) => n < 0)) throw new RangeError(`negative: ${numbers.find((n) => n < 0)}`);
  return { result: numbers.reduce((a, b) => a + b, 0) };
});
