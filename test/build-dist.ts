import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Vitest global setup: bundles dist/ once before any test file runs, so suites that spawn the CLI
 * or load dist/build-config.cjs (serverless) never see a stale or half-written bundle, even when the
 * test files run in parallel or one file is run on its own.
 */
export default function setup(): void {
  execFileSync(process.execPath, [join(__dirname, '..', 'scripts', 'build.mjs')], { stdio: 'inherit' });
}
