import { defineConfig } from 'vitest/config';

// Projects: `unit` (pure core, seconds), `types` (the public API's types, checked by tsc),
// `integration` (spawned CLI, built bundles, the packed package), `e2e` (the Serverless Framework
// packaging and invoking the real handler, and `npm start` over HTTP; slow) and `browser` (the local
// stack driven in Debian's Chromium, /usr/bin/chromium; see test/browser/support.ts). `npm test` runs
// all; `npm run test:unit` the fast one. dist/ is built once before any file runs (test/build-dist.ts).
export default defineConfig({
  test: {
    globalSetup: ['test/build-dist.ts'],
    projects: [
      // 20 s, not vitest's 5 s: key generation and property runs take seconds on a loaded 2-core machine
      // (a timeout is a hang guard here, not a speed claim; the benchmarks measure speed).
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 20_000 } },
      {
        test: {
          name: 'types',
          include: [],
          typecheck: { enabled: true, only: true, include: ['test/types/**/*.test-d.ts'], tsconfig: 'tsconfig.json' },
        },
      },
      { test: { name: 'integration', include: ['test/integration/**/*.test.ts'], testTimeout: 60_000 } },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 180_000, hookTimeout: 180_000 } },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // One file at a time, after every other project (vitest runs a project limited to one worker
          // last, in a group of its own): each file starts a whole stack and a Chromium, and two
          // Chromiums with hls.js on two cores make playback timing a race.
          fileParallelism: false,
        },
      },
    ],
  },
});
