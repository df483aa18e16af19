import { defineConfig } from "vitest/config";

// The fault suite: real servers killed, a full disk, corrupt model files, fuzzed bodies (`npm run test:faults`).
// It mounts a tmpfs, so it runs as root (as CI does), one file at a time on a 2-core machine.
export default defineConfig({
  test: {
    include: ["test/faults/**/*.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
