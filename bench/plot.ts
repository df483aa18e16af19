/** A small SVG line chart on log-log axes, for benches that show growth with size (no plotting dependency). */

export interface PlotLine {
  name: string;
  /** [x, y] pairs, x ascending, both positive. */
  points: [number, number][];
}

export interface PlotPanel {
  title: string;
  yLabel: string;
  lines: PlotLine[];
}

const WIDTH = 420;
const HEIGHT = 300;
const MARGIN = { left: 64, right: 16, top: 32, bottom: 44 };
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];

const escapeXml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Powers of ten spanning [low, high], at least two. */
function decades(low: number, high: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(low)); e <= Math.ceil(Math.log10(high)); e++) ticks.push(10 ** e);
  return ticks;
}

const tickLabel = (value: number) =>
  value >= 1000 ? `${value / 1000}k`.replace("000k", "M") : String(Number(value.toPrecision(3)));

function panelSvg(panel: PlotPanel, xLabel: string, offsetX: number): string {
  const points = panel.lines.flatMap((line) => line.points);
  const xTicks = decades(Math.min(...points.map((p) => p[0])), Math.max(...points.map((p) => p[0])));
  const yTicks = decades(Math.min(...points.map((p) => p[1])), Math.max(...points.map((p) => p[1])));
  const [x0, x1] = [Math.log10(xTicks[0]), Math.log10(xTicks[xTicks.length - 1])];
  const [y0, y1] = [Math.log10(yTicks[0]), Math.log10(yTicks[yTicks.length - 1])];
  const innerW = WIDTH - MARGIN.left - MARGIN.right;
  const innerH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const px = (x: number) => offsetX + MARGIN.left + ((Math.log10(x) - x0) / (x1 - x0 || 1)) * innerW;
  const py = (y: number) => MARGIN.top + innerH - ((Math.log10(y) - y0) / (y1 - y0 || 1)) * innerH;
  const parts = [
    `<text x="${offsetX + WIDTH / 2}" y="18" text-anchor="middle" font-weight="bold">${escapeXml(panel.title)}</text>`,
    `<text x="${offsetX + WIDTH / 2}" y="${HEIGHT - 8}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text transform="translate(${offsetX + 14},${MARGIN.top + innerH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(panel.yLabel)}</text>`,
  ];
  for (const tick of xTicks) {
    const x = px(tick).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${MARGIN.top}" y2="${MARGIN.top + innerH}" stroke="#ddd"/>`);
    parts.push(
      `<text x="${x}" y="${MARGIN.top + innerH + 16}" text-anchor="middle">${tickLabel(tick)}</text>`,
    );
  }
  for (const tick of yTicks) {
    const y = py(tick).toFixed(1);
    parts.push(
      `<line x1="${offsetX + MARGIN.left}" x2="${offsetX + MARGIN.left + innerW}" y1="${y}" y2="${y}" stroke="#ddd"/>`,
    );
    parts.push(
      `<text x="${offsetX + MARGIN.left - 6}" y="${y}" text-anchor="end" dy="4">${tickLabel(tick)}</text>`,
    );
  }
  panel.lines.forEach((line, i) => {
    const color = COLORS[i % COLORS.length];
    const path = line.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(" ");
    parts.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const [x, y] of line.points) {
      parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${color}"/>`);
    }
    const legendY = MARGIN.top + 8 + 16 * i;
    parts.push(
      `<rect x="${offsetX + MARGIN.left + 8}" y="${legendY - 8}" width="10" height="10" fill="${color}"/>`,
      `<text x="${offsetX + MARGIN.left + 22}" y="${legendY + 1}">${escapeXml(line.name)}</text>`,
    );
  });
  return parts.join("\n");
}

/** Panels side by side sharing one x label, as one SVG document whose `title` describes it to screen readers. */
export function logLogSvg(panels: PlotPanel[], xLabel: string, title: string): string {
  const width = WIDTH * panels.length;
  const body = panels.map((panel, i) => panelSvg(panel, xLabel, i * WIDTH)).join("\n");
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEIGHT}" viewBox="0 0 ${width} ${HEIGHT}" ` +
    `font-family="sans-serif" font-size="12">\n<title>${escapeXml(title)}</title>\n` +
    `<rect width="100%" height="100%" fill="white"/>\n${body}\n</svg>\n`
  );
}
