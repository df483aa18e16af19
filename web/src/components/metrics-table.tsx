import type { AccuracyMetrics } from "../api/types.ts";
import { formatAmount, formatPercent, formatRatio } from "../lib/format.ts";
import type { ValidationRow } from "../lib/validation-rows.ts";

const COLUMNS = [
  ["mae", "MAE", formatAmount],
  ["rmse", "RMSE", formatAmount],
  ["smape", "sMAPE", formatPercent],
  ["mase", "MASE", formatRatio],
] as const;

/** A share (0 to 1) as a percentage, e.g. an interval's coverage. */
const formatShare = (value: number | null | undefined): string =>
  value === null || value === undefined || !Number.isFinite(value) ? "n/a" : `${(100 * value).toFixed(1)}%`;

/**
 * The interval columns the rows have: each level's coverage (the share of actual values inside the band,
 * best near the level) and MSIS (lower is better), in the order of the levels.
 */
function intervalColumns(rows: readonly ValidationRow[]): { key: string; title: string; lowest: boolean }[] {
  const keys = [...new Set(rows.flatMap((row) => Object.keys(row.metrics.intervals ?? {})))];
  const levels = [...new Set(keys.filter((k) => k.startsWith("coverage_")).map((k) => k.slice(9)))].sort(
    (a, b) => Number(a) - Number(b),
  );
  return levels.flatMap((level) => [
    { key: `coverage_${level}`, title: `Coverage ${level}%`, lowest: false },
    { key: `msis_${level}`, title: `MSIS ${level}%`, lowest: true },
  ]);
}

/**
 * Forecasters' validation errors side by side (the ensemble, its members, the baselines); the lowest of each
 * column is marked.
 */
export function MetricsTable({ rows, caption }: { rows: readonly ValidationRow[]; caption: string }) {
  const best = (key: keyof AccuracyMetrics) =>
    Math.min(
      ...rows.map((row) => (row.metrics[key] as number | null | undefined) ?? Number.POSITIVE_INFINITY),
    );
  const intervals = intervalColumns(rows);
  const lowestInterval = (key: string) =>
    Math.min(...rows.map((row) => row.metrics.intervals?.[key] ?? Number.POSITIVE_INFINITY));
  return (
    <div class="table-scroll">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Forecaster</th>
            {COLUMNS.map(([key, title]) => (
              <th key={key} scope="col" class="number">
                {title}
              </th>
            ))}
            {intervals.map(({ key, title }) => (
              <th key={key} scope="col" class="number">
                {title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key} class={`row-${row.kind}`} data-testid="metrics-row" data-forecaster={row.key}>
              <th scope="row">
                {row.kind === "member" ? <code>{row.title}</code> : row.title}
                {row.servesWindows && <span class="badge">serves the window routes</span>}
              </th>
              {COLUMNS.map(([key, , format]) => {
                const value = row.metrics[key];
                const text = format(value);
                return (
                  <td key={key} class="number">
                    {value !== null && value !== undefined && value === best(key) ? (
                      <strong title="lowest error">{text}</strong>
                    ) : (
                      text
                    )}
                  </td>
                );
              })}
              {intervals.map(({ key, lowest }) => {
                const value = row.metrics.intervals?.[key];
                const text = key.startsWith("coverage_") ? formatShare(value) : formatRatio(value);
                return (
                  <td key={key} class="number">
                    {lowest && value !== null && value !== undefined && value === lowestInterval(key) ? (
                      <strong title="lowest score">{text}</strong>
                    ) : (
                      text
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
