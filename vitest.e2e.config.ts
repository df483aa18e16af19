import { defineConfig } from "vitest/config";

// End-to-end checks against real tools from Debian's packages (promtool, prometheus): `npm run test:e2e`.
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // One real server and one real Prometheus at a time on a 2-core machine.
    fileParallelism: false,
  },
});
