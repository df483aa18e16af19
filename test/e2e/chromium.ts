import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

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
