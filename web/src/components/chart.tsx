import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { dayToSeconds } from "../lib/dates.ts";
import type { ChartBand } from "../lib/forecast-lines.ts";

export interface ChartLine {
  label: string;
  /** One value per date; null leaves a gap. */
  values: readonly (number | null)[];
  color: string;
  /** Stroke width in CSS pixels (default 2): thinner for lines that accompany a main one. */
  width?: number;
  dashed?: boolean;
  /** Mark each point, for short lines such as a forecast. */
  points?: boolean;
}

/** A day marked by a thin vertical line across the plot (a holiday). */
export interface ChartMark {
  date: string;
  label: string;
}

interface ChartProps {
  /** Said by screen readers in place of the drawing, e.g. "Daily sales of Beauty, 2023-01-01 to 2024-01-01". */
  description: string;
  dates: readonly string[];
  lines: readonly ChartLine[];
  /** Shaded areas between pairs of lines (prediction intervals). */
  bands?: readonly ChartBand[];
  marks?: readonly ChartMark[];
  height?: number;
}

// a color no line of the charts uses (web/src/lib/forecast-lines.ts), so a mark is never read as a line
const MARK_COLOR = "#f59e0b";

/** Draws each mark inside the x range as a dotted vertical line over the plot area. */
function drawMarks(plot: uPlot, marks: readonly ChartMark[]): void {
  const { ctx, bbox } = plot;
  const [first, last] = [plot.scales.x.min ?? -Infinity, plot.scales.x.max ?? Infinity];
  ctx.save();
  ctx.strokeStyle = MARK_COLOR;
  ctx.lineWidth = 2 * devicePixelRatio;
  ctx.setLineDash([3 * devicePixelRatio, 3 * devicePixelRatio]);
  for (const mark of marks) {
    const seconds = dayToSeconds(mark.date);
    if (seconds < first || seconds > last) continue;
    const x = Math.round(plot.valToPos(seconds, "x", true));
    ctx.beginPath();
    ctx.moveTo(x, bbox.top);
    ctx.lineTo(x, bbox.top + bbox.height);
    ctx.stroke();
  }
  ctx.restore();
}

/** A time chart (uPlot on a canvas) that fills its container's width and follows it when it resizes. */
// Defaults made once: a new [] on every render would redraw the chart on every render.
const NO_BANDS: readonly ChartBand[] = [];
const NO_MARKS: readonly ChartMark[] = [];

export function Chart({
  description,
  dates,
  lines,
  bands = NO_BANDS,
  marks = NO_MARKS,
  height = 300,
}: ChartProps) {
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const target = container.current;
    if (target === null) return;
    const options: uPlot.Options = {
      width: target.clientWidth,
      height,
      // dates are UTC days: show them as such whatever the reader's time zone
      tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), "Etc/UTC"),
      scales: { x: { time: true } },
      series: [
        { label: "Date" },
        ...lines.map((line) => ({
          label: line.label,
          stroke: line.color,
          width: line.width ?? 2,
          dash: line.dashed ? [6, 4] : undefined,
          points: { show: line.points ?? false, size: 6, fill: line.color },
        })),
      ],
      axes: [{}, { size: 60 }],
      // uPlot counts the date column as series 0, so a line's series index is its index + 1.
      bands: bands.map((band) => ({ series: [band.upper + 1, band.lower + 1], fill: band.fill })),
      hooks: { draw: [(plot) => drawMarks(plot, marks)] },
    };
    const data = [dates.map(dayToSeconds), ...lines.map((line) => [...line.values])] as uPlot.AlignedData;
    const plot = new uPlot(options, data, target);
    const resize = new ResizeObserver(() => plot.setSize({ width: target.clientWidth, height }));
    resize.observe(target);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [dates, lines, bands, marks, height]);

  return <div class="chart" ref={container} role="img" aria-label={description} />;
}
