import { defineConfig } from "vitest/config";

// The cluster suite (`npm run test:cluster`): the registry on a real PostgreSQL and the work queue on a real
// Redis, which global-setup.ts starts from Debian's postgresql and redis-server packages (or, for
// PostgreSQL, the server SALESCAST_TEST_POSTGRES_URL names).
export default defineConfig({
  test: {
    include: ["test/cluster/**/*.test.ts"],
    globalSetup: ["test/cluster/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
