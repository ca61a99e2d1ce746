import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blocksOf, DOC_PAGES, NPX, where } from '../fixtures/doc-blocks';
import { freePorts } from '../fixtures/free-ports';

/**
 * The docs' shell blocks tagged `stack` ("while `npm start` runs, in a second terminal…") run as written
 * against a running local stack, from the checkout. Only the ports change: the stack here listens on
 * free ports, so `localhost:3000` and `127.0.0.1:4566` in the commands are moved to them.
 */

const ROOT = join(__dirname, '..', '..');
const blocks = DOC_PAGES.flatMap(blocksOf).filter((block) => block.language === 'sh' && block.tag === 'stack');

let stack: ChildProcess;
let output = '';
let port: number;

beforeAll(async () => {
  port = await freePorts(3);
  stack = spawn(process.execPath, [join(ROOT, 'bin', 'edgepass.cjs'), 'dev'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), SECRETS_MANAGER_PORT: String(port + 2) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  stack.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  stack.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const deadline = Date.now() + 60_000;
  while (!output.includes('edgepass dev: ready on')) {
    if (Date.now() > deadline || stack.exitCode !== null) throw new Error(`the stack did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}, 90_000);

afterAll(async () => {
  if (stack.exitCode !== null) return;
  const exited = new Promise((resolve) => stack.once('exit', resolve));
  stack.kill('SIGINT');
  await exited;
});

describe('the docs’ blocks that need the local stack', () => {
  it('are there (README, deploy, local-stack)', () => {
    expect(blocks.map((block) => block.file)).toEqual(
      expect.arrayContaining(['docs/deploy.md', 'docs/local-stack.md']),
    );
  });

  for (const block of blocks) {
    it(`run as written: ${where(block)}`, () => {
      const code = block.code
        .replaceAll('localhost:3000', `localhost:${port}`)
        .replaceAll('127.0.0.1:4566', `127.0.0.1:${port + 2}`);
      // bash -e: a failing command fails the block; pipefail so a failing curl is not hidden by sed.
      const out = execFileSync('bash', ['-e', '-o', 'pipefail', '-c', NPX + code], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: 'pipe',
        env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
      });
      expect(out).not.toMatch(/"statusCode":\s*5\d\d|"error":\{"code"/);
      if (code.includes('invoke local -f login')) expect(out).toContain('CloudFront-Key-Pair-Id=');
      if (code.includes('/api/sign'))
        expect(out).toMatch(/"urls":\[\{"path":"\/videos\/hls\/seg1\.ts","url":"http:\/\/localhost:/);
    }, 120_000);
  }
});
