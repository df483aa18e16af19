import { formatIsoDay, parseIsoDay } from "./dates.ts";
import { periodStartDay } from "./frequency.ts";
import { periodDate } from "./series-dates.ts";
import type { Series } from "./types.ts";

const UNITS = { D: "day", W: "week", M: "month" } as const;

/**
 * A series summed to a coarser period than its dates can end in a period that runs past its data (a week with
 * three days of sales): that sum is low only because the data stop, and it would be the last window's input.
 * Such a last period is dropped; one warning per distinct period names it and the series.
 * `lastDataDay(series)` is the last day the series' rows cover.
 */
export function dropPartialLastPeriods(
  series: readonly Series[],
  lastDataDay: (series: Series) => number,
): { series: Series[]; warnings: string[] } {
  const droppedBy = new Map<string, string[]>();
  const kept = series.map((one) => {
    const last = one.values.length - 1;
    const lastDate = periodDate(one, last);
    const start = parseIsoDay(lastDate) as number;
    const end = periodStartDay(1, one.frequency, start) - 1;
    const covered = lastDataDay(one);
    if (end <= covered || one.frequency === "D") return one;
    const key =
      `the last ${UNITS[one.frequency]}, ${lastDate} to ${formatIsoDay(end)}, has data only up to ` +
      `${formatIsoDay(covered)} (${covered - start + 1} of ${end - start + 1} days)`;
    droppedBy.set(key, [...(droppedBy.get(key) ?? []), one.id]);
    return { ...one, values: one.values.slice(0, last) };
  });
  const warnings = [...droppedBy].map(([period, ids]) => {
    const which = ids.length === series.length ? "every series" : ids.map((id) => `"${id}"`).join(", ");
    return `${period}: dropped from ${which}, since it would bias the last window low`;
  });
  return { series: kept, warnings };
}
