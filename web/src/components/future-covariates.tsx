import type { ModelFeatures } from "../api/types.ts";
import type { FutureCells } from "../lib/window-features.ts";

/** The known-future covariates of the horizon, one input per period and covariate, as the request sends them. */
export function FutureCovariates({
  features,
  dates,
  cells,
  fileCells,
  onChange,
}: {
  features: ModelFeatures;
  dates: readonly string[];
  cells: FutureCells;
  /** What the covariates file says, so an edited cell shows as such. */
  fileCells: FutureCells;
  onChange: (name: string, period: number, text: string) => void;
}) {
  const names = features.covariates.filter((c) => c.known_future).map((c) => c.name);
  if (names.length === 0) return null;
  return (
    <div class="table-scroll window-table">
      <table data-testid="future-covariates">
        <caption>Known ahead in the horizon (from the covariates file; edit to ask “what if”)</caption>
        <thead>
          <tr>
            <th scope="col">Period</th>
            {names.map((name) => (
              <th key={name} scope="col" class="number">
                {name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {dates.map((date, k) => (
            <tr key={date}>
              <th scope="row">{date}</th>
              {names.map((name) => (
                <td key={name} class="number">
                  <input
                    id={`future-${name}-${k}`}
                    aria-label={`${name} on ${date}`}
                    type="text"
                    inputMode="decimal"
                    class={cells[name]?.[k] === fileCells[name]?.[k] ? undefined : "edited"}
                    value={cells[name]?.[k] ?? ""}
                    onInput={(event) => onChange(name, k, event.currentTarget.value)}
                  />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
