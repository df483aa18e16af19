import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Locator } from "playwright-core";
import { expect } from "vitest";

const CHROMIUM = "/usr/bin/chromium";

export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium`);
}

/** Builds web/ into web/dist, which the server serves at GET /, so the test runs the dashboard as it is now. */
export function buildDashboard(): void {
  const vite = join("node_modules", "vite", "bin", "vite.js");
  const build = spawnSync(process.execPath, [vite, "build", "web", "--logLevel", "warn"], {
    encoding: "utf8",
  });
  if (build.status !== 0) throw new Error(`vite build web failed:\n${build.stdout}${build.stderr}`);
}

/** Debian's Chromium, headless, in en-US and UTC, with a fresh profile and nothing of its own on the network. */
export function launchChromium(width: number): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "salescast-chromium-")), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    locale: "en-US",
    timezoneId: "UTC",
    viewport: { width, height: 900 },
  });
}

// The browser APIs pixelsOfColor calls inside the page (this project's TypeScript has no DOM types).
interface PageCanvas {
  width: number;
  height: number;
  getContext(kind: "2d"): {
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  };
}

/**
 * How many pixels of a chart's canvas are drawn in about this color (`rgb(r, g, b)`), antialiased edges
 * aside: a line that is in the legend but not drawn counts none.
 */
export async function pixelsOfColor(chart: Locator, color: string): Promise<number> {
  const rgb = (color.match(/\d+/g) ?? []).slice(0, 3).map(Number);
  expect(rgb, `a color as rgb(r, g, b), got ${color}`).toHaveLength(3);
  return chart.locator("canvas").evaluate((element, [r, g, b]) => {
    const canvas = element as unknown as PageCanvas;
    const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      const distance = Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b);
      if (data[i + 3] > 200 && distance < 48) count++;
    }
    return count;
  }, rgb);
}
