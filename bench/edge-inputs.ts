import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ViewerRequestHandler } from '../functions/viewer-request/create-handler';
import { epochSeconds } from '../shared/index';
import { buildBenchBundle, viewerRequestEvent } from './edge';
import { RESOURCE, rsaKeyPair, signedCookiePool } from './fixtures';
import { measureInterleaved } from './harness';
import type { Row, Section } from './section';

const HOST = new URL(RESOURCE).host;
const KEY_ID = 'KCURRENT000001';
/** CloudFront's URL limit; the gate refuses longer ones before looking at them. */
const MAX_URL = 8192;

/** Pads `unit` up to about `length` characters after `prefix`. */
function padded(prefix: string, unit: string, length: number): string {
  return prefix + unit.repeat(Math.floor((length - prefix.length) / unit.length));
}

/**
 * What an attacker controls at the edge, at its worst: 8 KB paths built to make canonicalisation or
 * pattern matching slow, against the built bundle with a backtracking-prone public pattern
 * (`/*\/img/*\/*.png`). Each is compared with a plain 8 KB path; a normal HLS decision (cached cookie)
 * is the reference for "about what a normal decision costs".
 */
export const edgeInputsSection: Section = {
  id: 'edge-inputs',
  title:
    'Edge gate, hostile input: built bundle with `publicPaths: ["/*/img/*/*.png", "/assets/*"]`, requests without credentials (403) unless noted',
  async run(options) {
    const rsa = rsaKeyPair();
    const now = epochSeconds();
    const dir = mkdtempSync(join(tmpdir(), 'edgepass-bench-inputs-'));
    const log = console.log;
    let logged = '';
    try {
      writeFileSync(join(dir, 'current.pem'), rsa.publicPem);
      const configFile = join(dir, 'edgepass.config.json');
      writeFileSync(
        configFile,
        JSON.stringify({
          domains: [HOST],
          publicPaths: ['/*/img/*/*.png', '/assets/*'],
          keyGroup: [{ id: KEY_ID, publicKeyFile: 'current.pem' }],
          signingSecretId: 'edgepass/bench',
        }),
      );
      const bundle = buildBenchBundle(configFile, join(dir, 'viewer-request.js'));
      const { handler } = createRequire(__filename)(bundle.outfile) as { handler: ViewerRequestHandler };
      console.log = (line?: unknown) => {
        logged = String(line);
      };
      const cookie = signedCookiePool(rsa, now, 1, KEY_ID)[0]?.cookie ?? '';
      const cases: { id: string; short: string; label: string; uri: string; cookie: string; expect: string }[] = [
        {
          id: 'normal',
          short: 'normal',
          label: 'Normal decision: `/videos/42/720p/segment-00001.ts` with a cached cookie → allow (reference)',
          uri: '/videos/42/720p/segment-00001.ts',
          cookie,
          expect: '"decision":"allow"',
        },
        {
          id: 'plain',
          short: 'plain 8 KB',
          label: 'Plain 8 KB path: `/videos/aaaa…`',
          uri: padded('/videos/', 'a', MAX_URL - 2),
          cookie: '',
          expect: '"decision":"deny"',
        },
        {
          id: 'glob',
          short: 'glob',
          label: 'Adversarial 8 KB path for the public pattern: `/a/img/a/img/…/x` (a backtracking regex took 10 s)',
          uri: `${padded('/', 'a/img/', MAX_URL - 8)}x`,
          cookie: '',
          expect: '"decision":"deny"',
        },
        {
          id: 'wide',
          short: 'wide',
          label: 'Adversarial 8 KB path of escaped non-ASCII: `/%C3%A9%C3%A9…` (UTF-8 check + NFKC)',
          uri: padded('/', '%C3%A9', MAX_URL - 2),
          cookie: '',
          expect: '"decision":"deny"',
        },
        {
          id: 'escapes',
          short: 'escapes',
          label: 'Adversarial 8 KB path of ASCII escapes: `/%20a%20a…`',
          uri: padded('/', '%20a', MAX_URL - 2),
          cookie: '',
          expect: '"decision":"deny"',
        },
        {
          id: 'dots',
          short: 'dots',
          label: 'Adversarial 8 KB path of dots and slashes: `/.a/.a/…`',
          uri: padded('/', '.a/', MAX_URL - 2).replace(/\/$/, ''),
          cookie: '',
          expect: '"decision":"deny"',
        },
      ];
      const contenders = cases.map((c) => {
        const event = viewerRequestEvent(c.uri, c.cookie, `bench-${c.id}`);
        const headers = event.Records[0]?.cf.request.headers as { cookie?: unknown } | undefined;
        if (c.cookie === '' && headers !== undefined) delete headers.cookie;
        return {
          id: c.id,
          fn: () => {
            logged = '';
            const result = handler(event);
            if (!logged.includes(c.expect)) throw new Error(`${c.id}: expected ${c.expect}, got ${logged}`);
            return result;
          },
        };
      });
      for (const contender of contenders) await contender.fn();
      const m = measureInterleaved(contenders, options);
      return cases.map(
        (c): Row => ({
          id: `inputs.${c.id}`,
          short: c.short,
          label: `${c.label} (${c.uri.length.toLocaleString('en-US')} chars)`,
          measurement: m.get(c.id),
          ...(c.id === 'normal'
            ? {}
            : c.id === 'plain'
              ? { ratios: [{ to: 'inputs.normal' }] }
              : { ratios: [{ to: 'inputs.plain', min: 0.5 }, { to: 'inputs.normal' }] }),
        }),
      );
    } finally {
      console.log = log;
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
