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

interface ChartProps {
  /** Said by screen readers in place of the drawing, e.g. "Daily sales of Beauty, 2023-01-01 to 2024-01-01". */
  description: string;
  dates: readonly string[];
  lines: readonly ChartLine[];
  /** Shaded areas between pairs of lines (prediction intervals). */
  bands?: readonly ChartBand[];
  height?: number;
}

/** A time chart (uPlot on a canvas) that fills its container's width and follows it when it resizes. */
export function Chart({ description, dates, lines, bands = [], height = 300 }: ChartProps) {
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
    };
    const data = [dates.map(dayToSeconds), ...lines.map((line) => [...line.values])] as uPlot.AlignedData;
    const plot = new uPlot(options, data, target);
    const resize = new ResizeObserver(() => plot.setSize({ width: target.clientWidth, height }));
    resize.observe(target);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [dates, lines, bands, height]);

  return <div class="chart" ref={container} role="img" aria-label={description} />;
}
