import type { AccuracyMetrics } from "../api/types.ts";
import { formatAmount, formatPercent, formatRatio } from "../lib/format.ts";
import type { ValidationRow } from "../lib/validation-rows.ts";

const COLUMNS = [
  ["mae", "MAE", formatAmount],
  ["rmse", "RMSE", formatAmount],
  ["smape", "sMAPE", formatPercent],
  ["mase", "MASE", formatRatio],
] as const;

/**
 * Forecasters' validation errors side by side (the ensemble, its members, the baselines); the lowest of each
 * column is marked.
 */
export function MetricsTable({ rows, caption }: { rows: readonly ValidationRow[]; caption: string }) {
  const best = (key: keyof AccuracyMetrics) =>
    Math.min(...rows.map((row) => row.metrics[key] ?? Number.POSITIVE_INFINITY));
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
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
