// biome-ignore-all lint/suspicious/noExplicitAny: the packaged template is read as plain JSON
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Block, blocksOf, DOC_PAGES, NPX, where } from '../fixtures/doc-blocks';
import { ROOT } from '../fixtures/run-cli';
import { zipContents } from '../fixtures/zip-entries';

/**
 * The docs' shell blocks tagged `e2e` (`serverless package`, `serverless invoke local`) run as written,
 * in a fresh copy of the checkout: the files git would clone, `node_modules` linked, no `keys/`, no
 * `dist/`, no AWS credentials. The deploy guide's untagged blocks run with them, in the page's order, as a
 * reader following it would (step 1 generates `keys/` before step 3 packages `--stage prod`).
 */

const run = promisify(execFile);

/** The checkout as a fresh clone has it (tracked and new files, nothing ignored), with node_modules linked. */
function freshClone(): string {
  const dir = mkdtempSync(join(tmpdir(), 'edgepass-clone-'));
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file !== '' && file !== 'node_modules');
  for (const file of files) {
    mkdirSync(join(dir, dirname(file)), { recursive: true });
    try {
      copyFileSync(join(ROOT, file), join(dir, file));
    } catch (error) {
      // A file deleted in the work tree but still tracked is absent from a clone of the work tree too.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** No AWS credentials of any kind, and serverless quiet. */
function offlineEnv(dir: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
  return {
    ...env,
    HOME: mkdtempSync(join(tmpdir(), 'edgepass-home-')),
    AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
  };
}

async function bash(script: string, cwd: string, env: NodeJS.ProcessEnv) {
  try {
    const { stdout, stderr } = await run('timeout', ['300', 'bash', '-e', '-o', 'pipefail', '-c', NPX + script], {
      cwd,
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, output: (failed.stdout ?? '') + (failed.stderr ?? '') };
  }
}

const PAGE = 'docs/deploy.md';
const shell = (block: Block) => block.language === 'sh' || block.language === 'bash';
/** The page's untagged blocks and its e2e blocks, in the page's order. */
const blocks = blocksOf(PAGE).filter((block) => shell(block) && (block.tag === undefined || block.tag === 'e2e'));
const firstPackage = blocks.find((block) => block.tag === 'e2e' && block.code.includes('npm run package')) as Block;

describe(`the serverless commands of ${PAGE} (blocks tagged e2e), in a fresh clone`, () => {
  let dir = '';
  let before: Awaited<ReturnType<typeof bash>>;
  let result: Awaited<ReturnType<typeof bash>>;

  beforeAll(async () => {
    dir = freshClone();
    const env = offlineEnv(dir);
    // The guide's package command as a fresh clone runs it before step 1: no keys/ yet.
    before = await bash(firstPackage.code, dir, env);
    result = await bash(blocks.map((block) => `# ${where(block)}\n${block.code}`).join('\n'), dir, env);
  }, 600_000);

  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('are all on this page, and include packaging --stage prod and invoking the gate locally', () => {
    const tagged = DOC_PAGES.flatMap(blocksOf).filter((block) => shell(block) && block.tag === 'e2e');
    expect(tagged.map(where)).toEqual(blocks.filter((block) => block.tag === 'e2e').map(where));
    expect(firstPackage.code).toContain('--stage prod');
    expect(tagged.some((block) => block.code.includes('invoke local -f viewerRequest'))).toBe(true);
  });

  it('refuse before step 1 with one line naming the missing key file and how to make it', () => {
    expect(before.code).not.toBe(0);
    expect(before.output).toMatch(
      /keyGroup\.0\.publicKeyFile: cannot read .*keys\/public\.pem \(ENOENT\); create it with `npx edgepass keys generate --out /,
    );
    expect(before.output).not.toMatch(/\n\s+at /);
  });

  it('run as written after the page’s earlier steps, with no AWS credentials', () => {
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('Service packaged');
    expect(result.output).not.toMatch(/\n\s+at |"statusCode":\s*5\d\d/);
    // The invoke-local block ran the gate on a sample event, which it forwarded.
    expect(result.output).toContain('"uri": "/videos/42/seg-001.ts"');
  });

  it('package the prod stage: the alternate domain with its certificate, the key from step 1, nothing secret', () => {
    const out = join(dir, '.serverless');
    const template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'));
    const distribution = template.Resources.CloudFrontDistribution.Properties.DistributionConfig;
    expect(distribution.Aliases).toEqual(['media.example.com']);
    expect(distribution.ViewerCertificate).toMatchObject({
      AcmCertificateArn: expect.stringMatching(/^arn:aws:acm:us-east-1:/),
      MinimumProtocolVersion: 'TLSv1.2_2021',
    });
    const keys = Object.values(template.Resources as Record<string, any>).filter(
      (resource) => resource.Type === 'AWS::CloudFront::PublicKey',
    );
    expect(keys.map((key) => key.Properties.PublicKeyConfig.EncodedKey)).toEqual([
      readFileSync(join(dir, 'keys', 'public.pem'), 'utf8').trim(),
    ]);
    // A PEM private key block, or the body of a private key this clone holds (step 1's, the sample events').
    const pemBlock = /-----BEGIN [A-Z ]*PRIVATE KEY-----\r?\n[A-Za-z0-9+/]/;
    const bodies = [join(dir, 'keys', 'private.pem'), join(dir, 'events', 'sample-keys', 'private.pem')].map(
      (file) => readFileSync(file, 'utf8').split('\n')[2] as string, // key material, past the DER header
    );
    const files = readdirSync(out);
    expect(files.filter((file) => file.endsWith('.zip')).sort()).toEqual([
      'login.zip',
      'sign.zip',
      'viewerRequest.zip',
    ]);
    for (const file of files) {
      const contents = file.endsWith('.zip')
        ? zipContents(join(out, file))
        : [{ name: file, content: readFileSync(join(out, file)) }];
      for (const { name, content } of contents) {
        const text = content.toString('latin1');
        expect(content.length, `${file}: ${name}`).toBeGreaterThan(0);
        expect(pemBlock.test(text), `${file}: ${name}`).toBe(false);
        for (const body of bodies) expect(text.includes(body), `${file}: ${name}`).toBe(false);
      }
    }
  });
});
