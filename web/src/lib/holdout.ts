/** One held-out point: what happened, what the model said a step before, and what naive said. */
export interface HoldoutPoint {
  date: string;
  actual: number;
  forecast: number;
  /** The naive forecast: the value one period earlier. */
  naive: number;
}

/**
 * Rolling one-step-ahead forecasts of the last `count` points of a series: point t is forecast from the
 * `windowSize` values before it, as if each day's forecast had been made the day before.
 */
export async function rollingOneStep(
  dates: readonly string[],
  values: readonly number[],
  windowSize: number,
  count: number,
  predict: (window: number[]) => Promise<number>,
  onDone: (finished: number) => void,
): Promise<HoldoutPoint[]> {
  const first = Math.max(windowSize, values.length - count);
  let finished = 0;
  const indices = Array.from({ length: values.length - first }, (_, k) => first + k);
  return Promise.all(
    indices.map(async (t) => {
      const forecast = await predict(values.slice(t - windowSize, t));
      onDone(++finished);
      return { date: dates[t], actual: values[t], forecast, naive: values[t - 1] };
    }),
  );
}

export function meanAbsoluteError(
  points: readonly HoldoutPoint[],
  pick: (p: HoldoutPoint) => number,
): number {
  return points.reduce((sum, p) => sum + Math.abs(p.actual - pick(p)), 0) / points.length;
}
