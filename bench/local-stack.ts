import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePorts } from '../test/fixtures/free-ports';
import { repoRoot } from './edge';
import type { HarnessOptions, Measurement } from './harness';
import type { Row, Section } from './section';

/**
 * The local stack under load: autocannon against `edgepass dev` (the emulated distribution running
 * the built gate, with a premium user's signed cookies) and against a plain Node static server on the
 * same files, each server in its own process, measured in interleaved rounds so drift hits both.
 * Budget (issue 10): the emulator reaches ≥ 0.8× the static server's requests/s with no error and
 * no response other than 200.
 */

/** Files served by both servers, relative to dev/site; `budget` marks the one the issue names. */
const FILES = [
  { path: '/videos/hls/seg0.ts', short: 'segment', budget: true },
  { path: '/videos/hls/index.m3u8', short: 'playlist', budget: false },
] as const;
const CONNECTIONS = 10;

/** The plain server: stat, then stream the file, as a minimal static server does. */
const STATIC_SERVER = `'use strict';
const { createServer } = require('node:http');
const { createReadStream, stat } = require('node:fs');
const { join, normalize } = require('node:path');
const [root, port] = process.argv.slice(1);
const types = { '.ts': 'video/mp2t', '.m3u8': 'application/vnd.apple.mpegurl' };
createServer((req, res) => {
  const file = join(root, normalize(decodeURIComponent(req.url.split('?')[0])));
  stat(file, (error, info) => {
    if (error || !info.isFile()) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': types[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream', 'content-length': info.size });
    createReadStream(file).pipe(res);
  });
}).listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\\n'));
`;

/** Starts a child and resolves once its output matches `ready`; output is drained from then on. */
function startChild(args: readonly string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => fail(new Error(`not ready after 60 s:\n${output}`)), 60_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (ready.test(output)) {
        clearTimeout(timer);
        output = '';
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.once('exit', (code) => fail(new Error(`exited with ${code} before it was ready:\n${output}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGINT');
  });
}

/** A premium user's CloudFront cookies for /videos/, from the stack's own dev token and login. */
async function premiumCookies(base: string): Promise<string> {
  const tokenResponse = await fetch(`${base}/dev/token`, { method: 'POST', body: JSON.stringify({ user: 'ada' }) });
  const { token } = (await tokenResponse.json()) as { token: string };
  const login = await fetch(`${base}/auth/login`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  if (login.status !== 200) throw new Error(`login answered ${login.status}: ${await login.text()}`);
  return (
    login.headers
      .getSetCookie()
      // The cookies set for /videos/ itself (login first deletes those of the Paths it does not set).
      .filter((line) => /;\s*Path=\/videos\/;/i.test(line) && !/;\s*Max-Age=0;/i.test(line))
      .map((line) => line.split(';')[0])
      .join('; ')
  );
}

interface Round {
  readonly rps: number;
  readonly requests: number;
  readonly problems: number;
}

function load(url: string, cookie: string, seconds: number): Promise<Round> {
  return new Promise((resolve, reject) => {
    autocannon(
      { url, connections: CONNECTIONS, duration: seconds, headers: cookie === '' ? {} : { cookie } },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        const requests = result['2xx'] + result.non2xx;
        resolve({
          rps: requests / result.duration,
          requests,
          // autocannon counts 3xx/4xx/5xx as non2xx; every answer must be the file.
          problems: result.errors + result.timeouts + result.non2xx + result['1xx'],
        });
      },
    );
  });
}

function summarize(rounds: readonly Round[]): Measurement & { problems: number } {
  const rates = rounds.map((r) => r.rps).sort((a, b) => a - b);
  const hz = rates[Math.floor(rates.length / 2)] as number;
  return {
    hz,
    rounds: rounds.map((r) => r.rps),
    spread: ((rates[rates.length - 1] as number) - (rates[0] as number)) / 2 / hz,
    ops: rounds.reduce((sum, r) => sum + r.requests, 0),
    problems: rounds.reduce((sum, r) => sum + r.problems, 0),
  };
}

export const localStackSection: Section = {
  id: 'local-stack',
  title: `Local stack under load: autocannon, ${CONNECTIONS} connections, requests/s of wall-clock time (each server in its own process)`,
  async run(options: HarnessOptions): Promise<Row[]> {
    const quick = options.rounds < 5;
    const seconds = quick ? 2 : 5;
    const rounds = quick ? 1 : 3;
    // PORT and PORT + 1 for the stack, PORT + 2 for its Secrets Manager, PORT + 3 for the static server.
    const port = await freePorts(4);
    const env = { ...process.env, PORT: String(port), SECRETS_MANAGER_PORT: String(port + 2) };
    const stack = await startChild([join(repoRoot(), 'bin', 'edgepass.cjs'), 'dev'], env, /edgepass dev: ready on/);
    let plain: ChildProcess | undefined;
    try {
      const staticPort = port + 2 + 1;
      plain = await startChild(
        ['-e', STATIC_SERVER, join(repoRoot(), 'dev', 'site'), String(staticPort)],
        env,
        /ready/,
      );
      const base = `http://localhost:${port}`; // the local stage serves localhost:PORT only
      const cookie = await premiumCookies(base);
      const rows: Row[] = [];
      for (const file of FILES) {
        const targets = [
          { id: 'plain', url: `http://127.0.0.1:${staticPort}${file.path}`, cookie: '' },
          { id: 'stack', url: `${base}${file.path}`, cookie },
        ];
        // Warm both (JIT, file cache, the gate's verified-signature cache), then interleave the rounds.
        for (const target of targets) await load(target.url, target.cookie, 1);
        const results = new Map<string, Round[]>(targets.map((t) => [t.id, []]));
        for (let round = 0; round < rounds; round++) {
          const order = round % 2 === 0 ? targets : [...targets].reverse();
          for (const target of order) results.get(target.id)?.push(await load(target.url, target.cookie, seconds));
        }
        const plainResult = summarize(results.get('plain') ?? []);
        const stackResult = summarize(results.get('stack') ?? []);
        const problems = plainResult.problems + stackResult.problems;
        rows.push(
          {
            id: `stack.${file.short}.plain`,
            short: 'static server',
            label: `Plain Node static server, \`GET ${file.path}\``,
            measurement: plainResult,
          },
          {
            id: `stack.${file.short}.emulator`,
            short: 'emulator',
            label: `\`npm start\` emulator, \`GET ${file.path}\` with signed cookies (gate allow, origin)`,
            measurement: stackResult,
            ratios: [{ to: `stack.${file.short}.plain`, ...(file.budget ? { min: 0.8 } : {}) }],
            checks: [
              {
                label: `${(plainResult.ops + stackResult.ops).toLocaleString('en-US')} requests for ${file.path}: ${problems} errors, timeouts or non-200 responses`,
                pass: problems === 0,
              },
            ],
          },
        );
      }
      return rows;
    } finally {
      await Promise.all([stop(stack), plain === undefined ? undefined : stop(plain)]);
    }
  },
};
