import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CliIo } from './io';
import { UsageError } from './usage-error';

/**
 * `edgepass dev`: the local stack (`npm start` runs the same). Its code is bundled apart, in
 * dist/dev.cjs beside this CLI, and loaded only here: it exists in the repository, not in the package.
 */
export function devCommand(args: readonly string[], io: CliIo): Promise<number> {
  if (args.length > 0) {
    throw new UsageError('dev takes no arguments; set PORT, SECRETS_MANAGER_PORT or EDGEPASS_KEY_GROUP_CHECK instead');
  }
  const bundle = join(__dirname, 'dev.cjs');
  if (!existsSync(bundle)) {
    io.stderr(
      'edgepass: the local stack runs from the edgepass repository: git clone it, then `npm ci && npm start`\n',
    );
    return Promise.resolve(2);
  }
  const { runDev } = require(bundle) as { runDev(env: NodeJS.ProcessEnv): Promise<number> };
  // Every server is closed by now: exit at once rather than wait for idle timers to run out.
  return runDev(io.env as NodeJS.ProcessEnv).then((code) => process.exit(code));
}
