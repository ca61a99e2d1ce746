import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { signCookies } from '../../shared';
import { rsaKeyPair } from '../fixtures/keys';
import { DISTRIBUTION_HOST, viewerRequestEvent } from '../fixtures/viewer-events';

const require = createRequire(import.meta.url);
const { buildEdgeBundle } = require('../../scripts/edge-bundle.cjs') as typeof import('../../scripts/edge-bundle.cjs');

/**
 * Budget for the edge bundle's code, minified, without the baked configuration (keys): 16 KiB. The
 * bundle is the whole verifier (canned and custom policies, URLs and cookies, RSA and ECDSA, CIDR,
 * linear-time wildcard matching), the canonical-path rule, the open-redirect-safe login redirect and
 * credential stripping, with no dependency at all. Lambda@Edge allows 1 MB and cold start is measured
 * by `npm run bench`; the budget still fails any change that drags a library into the edge.
 */
const EDGE_CODE_BUDGET = 16 * 1024;

const current = rsaKeyPair();
const next = rsaKeyPair();
const dir = mkdtempSync(join(tmpdir(), 'edgepass-edge-'));
writeFileSync(join(dir, 'current.pem'), current.publicPem);
writeFileSync(join(dir, 'next.pem'), next.publicPem);

function writeConfig(name: string, config: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

const configFile = writeConfig('edgepass.config.json', {
  domains: [DISTRIBUTION_HOST],
  protectedPaths: ['/videos/*', '/reports/*'],
  keyGroup: [
    { id: 'KCURRENT000001', publicKeyFile: 'current.pem' },
    { id: 'KNEXT000000001', publicKeyFile: 'next.pem' },
  ],
  signingSecretId: 'edgepass/test',
});

let bundle: ReturnType<typeof buildEdgeBundle>;
beforeAll(() => {
  bundle = buildEdgeBundle({ configFile, outfile: join(dir, 'viewer-request.js') });
});

describe('the edge bundle', () => {
  it(`keeps its code within ${EDGE_CODE_BUDGET} bytes minified`, () => {
    const codeBytes = bundle.bytes - bundle.configBytes;
    console.log(`edge bundle: ${bundle.bytes} B total, ${codeBytes} B code, ${bundle.configBytes} B baked config`);
    expect(codeBytes).toBeLessThanOrEqual(EDGE_CODE_BUDGET);
  });

  it('is cloudfront/ + edge/ + the handler + the baked config: no package, no other layer', () => {
    const inputs = Object.keys(bundle.inputs);
    expect(inputs.filter((name) => name.includes('node_modules'))).toEqual([]);
    const outside = inputs.filter(
      (name) =>
        !/^shared\/(cloudfront|edge)\/[a-z0-9-]+\.ts$/.test(name) &&
        !/^functions\/viewer-request\/[a-z-]+\.ts$/.test(name) &&
        name !== '<define:__EDGEPASS_EDGE_CONFIG__>',
    );
    expect(outside).toEqual([]);
  });

  it('decides a request in a fresh Node process from the built file alone', () => {
    const cookies = signCookies(`https://${DISTRIBUTION_HOST}/videos/*`, {
      keyPairId: 'KNEXT000000001',
      privateKey: next.privatePem,
      expires: Math.floor(Date.now() / 1000) + 600,
    });
    const event = viewerRequestEvent({
      uri: '/videos/a.ts',
      cookies: [
        Object.entries(cookies)
          .map(([k, v]) => `${k}=${v}`)
          .join('; '),
      ],
    });
    const script = `require(${JSON.stringify(bundle.outfile)}).handler(JSON.parse(process.argv[1])).then((r) => process.stdout.write(JSON.stringify(r)))`;
    const stdout = execFileSync(process.execPath, ['-e', script, JSON.stringify(event)], { encoding: 'utf8' });
    const lines = stdout.trim().split('\n');
    expect(JSON.parse(lines[0] as string)).toMatchObject({ decision: 'allow', keyPairId: 'KNEXT000000001' });
    expect(JSON.parse(lines.at(-1) as string)).toMatchObject({ uri: '/videos/a.ts', querystring: '' });
  });

  it('fails the build with the field name when the configuration is wrong', () => {
    const bad = writeConfig('bad.json', {
      domains: [DISTRIBUTION_HOST],
      keyGroup: [{ id: 'KCURRENT000001', publicKeyFile: 'missing.pem' }],
      signingSecretId: 'x',
    });
    expect(() => buildEdgeBundle({ configFile: bad, outfile: join(dir, 'bad.js') })).toThrow(
      /keyGroup\.0\.publicKeyFile: cannot read .*missing\.pem/,
    );
  });
});
