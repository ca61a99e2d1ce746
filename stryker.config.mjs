// @ts-check
import { SECURITY_CORE } from './test/security-core.mjs';

/**
 * Mutation testing of the security core (`npm run mutate`; docs/testing.md): every mutant of those
 * files is run against the unit tests that import it. StrykerJS 9.6 (10.x needs Node 22).
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.mts', related: true },
  mutate: SECURITY_CORE,
  coverageAnalysis: 'perTest',
  // Two cores shared with everything else: one test process unless asked (`--concurrency 2`).
  concurrency: 1,
  timeoutMS: 10_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
  thresholds: { high: 95, low: 90, break: 90 },
  // Only the mutated files get `// @ts-nocheck`: the default rewrites every .ts in the sandbox as text,
  // the demo site's MPEG-TS video segments included.
  disableTypeChecks: 'shared/**/*.ts',
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
