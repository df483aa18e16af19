import type { SeriesForecast, SeriesHistory } from "../api/types.ts";
import type { ChartLine } from "../components/chart.tsx";

const HISTORY_COLOR = "#2563eb";
const ENSEMBLE_COLOR = "#c2410c";
/** One color per member, in the order the server lists them; none is the history's or the ensemble's. */
const MEMBER_COLORS = [
  "#059669",
  "#7c3aed",
  "#db2777",
  "#ca8a04",
  "#0891b2",
  "#4b5563",
  "#65a30d",
  "#9f1239",
];

const memberColor = (index: number): string => MEMBER_COLORS[index % MEMBER_COLORS.length];

/** Periods of history drawn before a forecast of `horizon` periods: enough to see its season and level. */
const historyContext = (horizon: number, length: number) => Math.min(length, Math.max(4 * horizon, 28));

/** Band fills, the wider level the fainter. */
const BAND_FILLS = ["rgba(194, 65, 12, 0.22)", "rgba(194, 65, 12, 0.12)", "rgba(194, 65, 12, 0.07)"];

/** A shaded area between two of a chart's lines (indices into its lines). */
export interface ChartBand {
  upper: number;
  lower: number;
  fill: string;
}

/**
 * The chart of a stored forecast: the end of the history, then the ensemble's forecast (thick) and each
 * member's (thin), on one date axis, with the ensemble's intervals as shaded bands, narrowest level darkest.
 * The forecast lines start at the last observed period before the forecast, so they visibly continue the
 * history.
 */
export function storedForecastChart(history: SeriesHistory, stored: SeriesForecast) {
  const forecastDates = stored.forecast.map((point) => point.date);
  const context = historyContext(forecastDates.length, history.values.length);
  const past = new Map<string, number>();
  for (let i = history.values.length - context; i < history.values.length; i++) {
    past.set(history.dates[i], history.values[i]);
  }
  const dates = [...new Set([...past.keys(), ...forecastDates])].sort();
  const anchor = [...past.keys()].filter((date) => date < forecastDates[0]).at(-1);

  const forecastLine = (values: readonly number[]) => {
    const byDate = new Map(forecastDates.map((date, k) => [date, values[k]]));
    if (anchor !== undefined) byDate.set(anchor, past.get(anchor) as number);
    return dates.map((date) => byDate.get(date) ?? null);
  };
  const bandLine = (values: readonly number[]) => {
    const byDate = new Map(forecastDates.map((date, k) => [date, values[k]]));
    return dates.map((date) => byDate.get(date) ?? null);
  };
  const lines: ChartLine[] = [
    { label: "Sales", values: dates.map((date) => past.get(date) ?? null), color: HISTORY_COLOR },
    ...Object.entries(stored.members).map(([name, values], i) => ({
      label: name,
      values: forecastLine(values),
      color: memberColor(i),
      width: 1.25,
    })),
    {
      label: "Ensemble",
      values: forecastLine(stored.forecast.map((point) => point.value)),
      color: ENSEMBLE_COLOR,
      width: 3,
      points: true,
    },
  ];
  // The bands' edges come first, so their fills lie under every line drawn after them.
  const bands: ChartBand[] = [];
  const edges: ChartLine[] = [];
  const intervals = stored.intervals ?? {};
  const levels = Object.keys(intervals).sort((a, b) => Number(a) - Number(b));
  levels.forEach((level, i) => {
    const band = intervals[level];
    const color = "rgba(194, 65, 12, 0.45)";
    edges.push(
      { label: `${level}% upper`, values: bandLine(band.upper), color, width: 0.75 },
      { label: `${level}% lower`, values: bandLine(band.lower), color, width: 0.75 },
    );
    bands.push({
      upper: edges.length - 2,
      lower: edges.length - 1,
      fill: BAND_FILLS[Math.min(i, BAND_FILLS.length - 1)],
    });
  });
  return { dates, lines: [...edges, ...lines], bands };
}
