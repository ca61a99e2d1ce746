import { defineConfig } from 'vitest/config';

// What `npm run mutate` (stryker.config.mjs) runs against each mutant: the unit project alone, without
// the dist/ build (no unit test reads dist/) and without coverage. The integration, e2e and browser
// projects run built bundles or spawned processes, which never see a mutant in the source.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
  },
});
