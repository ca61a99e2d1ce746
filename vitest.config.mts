import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure core, seconds) and `integration` (spawned CLI, real processes).
// `npm test` runs both; `npm run test:unit` runs the fast one.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { test: { name: 'integration', include: ['test/integration/**/*.test.ts'], testTimeout: 60_000 } },
    ],
  },
});
