import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blocksOf, where } from '../fixtures/doc-blocks';
import { ROOT } from '../fixtures/run-cli';

/**
 * The deploy guide's demo-content upload needs AWS (`# AWS:`), so it runs here as written against a
 * stand-in `aws` command that records its calls: the upload must put every object S3 will be asked
 * for, because behind Origin Access Control S3 serves no index documents.
 */

const BUCKET = 'edgepass-prod-contentbucket-1a2b3c4d';

describe('the deploy guide’s demo-content upload (step 6)', () => {
  const block = blocksOf('docs/deploy.md').find((b) => b.tag === 'aws' && b.code.includes('aws s3 sync dev/site'));

  it('syncs dev/site and stores each folder’s index.html under "folder/" and "folder"', () => {
    expect(block, 'docs/deploy.md has the upload block').toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'edgepass-aws-stand-in-'));
    const calls = join(dir, 'calls');
    writeFileSync(calls, '');
    // One line per call; describe-stacks answers the bucket output as --output text would.
    writeFileSync(
      join(dir, 'aws'),
      `#!/bin/sh\nprintf '%s\\n' "$*" >> '${calls}'\n[ "$1 $2" = "cloudformation describe-stacks" ] && echo ${BUCKET}\nexit 0\n`,
    );
    chmodSync(join(dir, 'aws'), 0o755);
    execFileSync('bash', ['-e', '-o', 'pipefail', '-c', block?.code as string], {
      cwd: ROOT,
      env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
      stdio: 'pipe',
    });
    const made = readFileSync(calls, 'utf8').trim().split('\n');
    expect(made[0], where(block as never)).toMatch(/^cloudformation describe-stacks --stack-name edgepass-prod /);
    expect(made[1]).toBe(`s3 sync dev/site s3://${BUCKET}/`);
    const pages = made.slice(2).map((call) => {
      const [, key, body] =
        call.match(/^s3api put-object --bucket \S+ --key (\S+) --body (\S+) --content-type text\/html$/) ?? [];
      return `${key} <- ${body}`;
    });
    expect(pages.sort()).toEqual(
      ['login', 'reports', 'videos', 'videos/free']
        .flatMap((folder) => [
          `${folder} <- dev/site/${folder}/index.html`,
          `${folder}/ <- dev/site/${folder}/index.html`,
        ])
        .sort(),
    );
  });
});
