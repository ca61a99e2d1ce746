import { createWriteStream, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { KeyGroupCheck, RequestLogEntry } from './emulator';
import { startStack } from './stack';

/**
 * `edgepass dev` (= `npm start`): starts the local stack, prints where to go and whom to log in as,
 * then one line per request; Ctrl-C stops everything. A bad configuration or a port in use is one
 * line and a non-zero exit.
 */

const CHECKS: readonly KeyGroupCheck[] = ['off', 'before', 'after'];

/** The checkout: where scripts/edge-bundle.cjs lives, found from this file or the working directory. */
function repositoryRoot(): string | undefined {
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = start; ; dir = dirname(dir)) {
      if (existsSync(join(dir, 'scripts', 'edge-bundle.cjs')) && existsSync(join(dir, 'functions'))) return dir;
      if (dirname(dir) === dir) break;
    }
  }
  return undefined;
}

function port(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = /^[0-9]{1,5}$/.test(value) ? Number(value) : Number.NaN;
  // Not 0: the distribution's host name (in cookies and signed URLs) needs a fixed port, and so does PORT + 1.
  if (!(n >= 1 && n <= 65_534)) throw new Error(`${name}=${JSON.stringify(value)} is not a port number (1–65534)`);
  return n;
}

function line(entry: RequestLogEntry): string {
  const gate = entry.decision === undefined ? entry.via : `${entry.via} ${entry.decision} ${entry.reason ?? ''}`.trim();
  const path = entry.path.length > 80 ? `${entry.path.slice(0, 77)}...` : entry.path;
  // Printable ASCII only: a request line must not be able to move the cursor or fake a line.
  const safe = path.replace(/[^\x20-\x7e]/g, '?');
  return `${entry.method.padEnd(7)} ${safe.padEnd(44)} ${gate.padEnd(30)} ${entry.status}  ${entry.ms.toFixed(1)} ms`;
}

function describe(error: unknown, portNumber: number, smPort: number): string {
  const failure = error as { code?: string; port?: number; message?: string };
  if (failure.code === 'EADDRINUSE') {
    const taken = failure.port ?? portNumber;
    if (taken === portNumber + 1 && taken !== smPort) {
      return `port ${taken} (the frontend, PORT + 1) is in use; stop what holds it or set PORT to another port`;
    }
    const which = taken === smPort ? 'SECRETS_MANAGER_PORT' : 'PORT';
    return `port ${taken} is in use; stop what holds it or set ${which} to another port`;
  }
  return (failure.message ?? String(error)).split('\n')[0] as string;
}

/**
 * The request log: written to stdout off the event loop (a pipe nobody reads — `npm start | less` left
 * on its first page — must not wedge the stack or Ctrl-C); past 1 MB waiting, lines are dropped and
 * counted instead of kept.
 */
function createRequestLog(): { write(text: string): void } {
  const out = createWriteStream('', { fd: 1, autoClose: false });
  out.on('error', () => {});
  let dropped = 0;
  return {
    write(text) {
      if (out.writableLength > 1024 * 1024) {
        dropped++;
        return;
      }
      if (dropped > 0) {
        out.write(`edgepass dev: ${dropped} log lines dropped (stdout is not being read)\n`);
        dropped = 0;
      }
      out.write(text);
    },
  };
}

/** Runs the stack until SIGINT/SIGTERM; resolves with the exit code. */
export async function runDev(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const root = repositoryRoot();
  if (root === undefined) {
    process.stderr.write(
      'edgepass dev: the local stack runs from the edgepass repository: git clone it, then `npm ci && npm start`\n',
    );
    return 2;
  }
  let portNumber = 3000;
  let smPort = 4566;
  try {
    portNumber = port('PORT', env.PORT, 3000);
    smPort = port('SECRETS_MANAGER_PORT', env.SECRETS_MANAGER_PORT, 4566);
    const check = (env.EDGEPASS_KEY_GROUP_CHECK ?? 'off') as KeyGroupCheck;
    if (!CHECKS.includes(check)) throw new Error(`EDGEPASS_KEY_GROUP_CHECK must be one of ${CHECKS.join(', ')}`);
    const requestLog = createRequestLog();
    const stack = await startStack({
      root,
      port: portNumber,
      secretsManagerPort: smPort,
      keyGroupCheck: check,
      log: (entry) => requestLog.write(`${line(entry)}\n`),
    });
    const users = stack.users.map((user) => `  ${user.user.padEnd(6)} ${user.description}`).join('\n');
    process.stdout.write(
      [
        'edgepass local stack (stage local)',
        `  ${stack.url}/               the public landing page`,
        `  ${stack.url}/login          log in as a demo user`,
        `  ${stack.url}/videos/        the protected HLS player (ada)`,
        `  ${stack.url}/videos/free/   the member page (bob)`,
        `  ${stack.url}/reports/       the protected report (ada)`,
        `  ${stack.frontendUrl}/               a frontend on another origin calling /auth/login and /api/sign`,
        `  ${stack.secretsManagerEndpoint}        the local Secrets Manager (AWS_ENDPOINT_URL_SECRETS_MANAGER)`,
        `  CloudFront's own key-group check: ${check}`,
        'demo users:',
        users,
        `edgepass dev: ready on ${stack.url} (Ctrl-C stops everything)`,
        '',
      ].join('\n'),
    );
    return await new Promise<number>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        stack.close().then(
          () => {
            process.stdout.write('edgepass dev: stopped\n');
            resolve(0);
          },
          () => resolve(1),
        );
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  } catch (error) {
    process.stderr.write(`edgepass dev: ${describe(error, portNumber, smPort)}\n`);
    return 1;
  }
}
