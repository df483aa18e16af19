import type { AccuracyMetrics, ValidationMetrics } from "../api/types.ts";
import { formatAmount, formatPercent, formatRatio } from "../lib/format.ts";

const ROWS = [
  ["model", "Model"],
  ["naive", "Naive"],
  ["seasonal_naive", "Seasonal naive"],
] as const;

const COLUMNS = [
  ["mae", "MAE", formatAmount],
  ["rmse", "RMSE", formatAmount],
  ["smape", "sMAPE", formatPercent],
  ["mase", "MASE", formatRatio],
] as const;

/**
 * The model's validation errors beside the baselines' (naive: the last value again; seasonal naive: the value
 * one season ago); the lowest of each column is marked.
 */
export function MetricsTable({ metrics, caption }: { metrics: ValidationMetrics; caption: string }) {
  const best = (key: keyof AccuracyMetrics) =>
    Math.min(...ROWS.map(([row]) => metrics[row][key] ?? Number.POSITIVE_INFINITY));
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
          {ROWS.map(([row, title]) => (
            <tr key={row}>
              <th scope="row">{title}</th>
              {COLUMNS.map(([key, , format]) => {
                const value = metrics[row][key];
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
