import type { SeriesSummary } from "../api/types.ts";

interface SeriesPickerProps {
  series: readonly SeriesSummary[];
  selected: string;
  onSelect: (id: string) => void;
}

export function SeriesPicker({ series, selected, onSelect }: SeriesPickerProps) {
  return (
    <label class="field">
      Series
      <select value={selected} onChange={(event) => onSelect(event.currentTarget.value)}>
        {series.map((one) => (
          <option key={one.id} value={one.id}>
            {one.id}
          </option>
        ))}
      </select>
    </label>
  );
}
