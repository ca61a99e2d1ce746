import { defineConfig } from 'vitest/config';

// Projects: `unit` (pure core, seconds), `integration` (spawned CLI, built bundles) and `e2e`
// (the Serverless Framework packaging and invoking the real handler; slow). `npm test` runs all;
// `npm run test:unit` the fast one. dist/ is built once before any file runs (test/build-dist.ts).
export default defineConfig({
  test: {
    globalSetup: ['test/build-dist.ts'],
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { test: { name: 'integration', include: ['test/integration/**/*.test.ts'], testTimeout: 60_000 } },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 180_000, hookTimeout: 180_000 } },
    ],
  },
});
