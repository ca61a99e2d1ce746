import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blocksOf, DOC_PAGES, NPX, where } from '../fixtures/doc-blocks';
import { type StackProcess, startStackProcess } from '../fixtures/stack-process';

/**
 * The docs' shell blocks tagged `stack` ("while `npm start` runs, in a second terminal…") run as written
 * against a running local stack, from the checkout. Only the ports change: the stack here listens on
 * free ports, so `localhost:3000` and `127.0.0.1:4566` in the commands are moved to them.
 */

const ROOT = join(__dirname, '..', '..');
const blocks = DOC_PAGES.flatMap(blocksOf).filter((block) => block.language === 'sh' && block.tag === 'stack');

let stack: StackProcess;

beforeAll(async () => {
  stack = await startStackProcess();
}, 90_000);

afterAll(() => stack?.stop());

describe('the docs’ blocks that need the local stack', () => {
  it('are there (README, deploy, local-stack)', () => {
    expect(blocks.map((block) => block.file)).toEqual(
      expect.arrayContaining(['docs/deploy.md', 'docs/local-stack.md']),
    );
  });

  for (const block of blocks) {
    it(`run as written: ${where(block)}`, () => {
      const code = block.code
        .replaceAll('localhost:3000', `localhost:${stack.port}`)
        .replaceAll('127.0.0.1:4566', `127.0.0.1:${stack.secretsManagerPort}`);
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
