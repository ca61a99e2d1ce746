import { execFileSync } from 'node:child_process';
import { sign as cryptoSign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ViewerRequestHandler } from '../functions/viewer-request/create-handler';
import { customPolicy, encodeCloudFrontBase64, epochSeconds, signCookies, signUrl } from '../shared/index';
import { buildBenchBundle, replayable, repoRoot, viewerRequestEvent } from './edge';
import { cookieHeader, ecKeyPair, RESOURCE, rsaKeyPair } from './fixtures';
import { fromSamples, measureInterleaved } from './harness';
import type { Row, Section } from './section';

const HOST = new URL(RESOURCE).host;
const ORIGIN = `https://${HOST}`;
const RSA_ID = 'KCURRENT000001';
const EC_ID = 'KECDSA00000001';
/** CloudFront's URL limit; the gate refuses longer ones before looking at them. */
const MAX_URL = 8192;
/** The gate reads no Cookie header longer than this (CloudFront's whole request is 20 KB). */
const MAX_COOKIE_HEADER = 20_480;
/** Distinct worst-case requests in the heap run, and the heap limit of that process. */
const HEAP_REQUESTS = 10_000;
const HEAP_LIMIT_MB = 100;
/** What the heap may keep after those requests and a full collection: the cache's byte bound and change. */
const HEAP_GROWTH_BOUND_MB = 16;

/** Pads `unit` up to about `length` characters after `prefix`. */
function padded(prefix: string, unit: string, length: number): string {
  return prefix + unit.repeat(Math.max(0, Math.floor((length - prefix.length) / unit.length)));
}

interface Case {
  readonly id: string;
  readonly short: string;
  readonly label: string;
  readonly uri: string;
  readonly querystring?: string;
  readonly cookie: string;
  readonly referer?: string;
  /** Further Cookie headers, each its own header (the first is `cookie`). */
  readonly moreCookies?: readonly string[];
  /** How many other one-letter headers the request carries. */
  readonly extraHeaders?: number;
  readonly expect: 'allow' | 'deny' | 'pass';
  /** Compared with the plain 8 KB path (canonicalisation) rather than only with a normal decision. */
  readonly path?: boolean;
}

/**
 * The heap run, in a fresh `node --max-old-space-size=100 --expose-gc`: 10,000 distinct worst-case
 * requests (each its own signature, so the verified-signature cache churns), then a full collection.
 */
const HEAP_SCRIPT = `'use strict';
const [bundle, library, configFile] = process.argv.slice(2);
const { signUrl } = require(library);
const { keyPairId, privateKey, origin, host, path, junk, count, now } = JSON.parse(require('node:fs').readFileSync(configFile, 'utf8'));
console.log = () => {};
const { handler } = require(bundle);
// Each request is made and dropped here: a fresh signature (so the cache churns) and its own 20 KB header.
const event = (i) => {
  const url = signUrl(origin + path, { keyPairId, privateKey, expires: now + 3600 + i, now, ipAddress: '203.0.113.0/24' });
  return { Records: [{ cf: { config: { requestId: 'heap-' + i }, request: {
    clientIp: '203.0.113.10', method: 'GET', querystring: url.slice(url.indexOf('?') + 1), uri: path,
    headers: { host: [{ key: 'Host', value: host }], cookie: [{ key: 'Cookie', value: junk + i }] } } } }] };
};
(async () => {
  await handler(event(-1));
  global.gc(); global.gc();
  const before = process.memoryUsage().heapUsed;
  let allowed = 0;
  for (let i = 0; i < count; i++) if (!('status' in (await handler(event(i))))) allowed++;
  global.gc(); global.gc();
  const after = process.memoryUsage().heapUsed;
  process.stdout.write(JSON.stringify({ allowed, growth: after - before, rss: process.memoryUsage().rss }));
})();
`;

/**
 * What an attacker (or a member with the lowest grant) controls at the edge, at its worst, against
 * the built bundle: 8 KB paths built to make canonicalisation or pattern matching slow (each compared
 * with a plain 8 KB path), and the longest input of each other class — a literal policy resource, a
 * grant pattern, a Cookie header, a query — each compared with a normal HLS decision (cached cookie):
 * within 10× of it is the budget (issue 8). Then the heap after 10,000 distinct worst-case requests.
 */
export const edgeInputsSection: Section = {
  id: 'edge-inputs',
  title:
    'Edge gate, hostile input: built bundle (public `/*/img/*/*.png`, grants as the schema allows at most), worst input of each class vs a normal decision',
  async run(options) {
    const rsa = rsaKeyPair();
    const ec = ecKeyPair();
    const now = epochSeconds();
    const dir = mkdtempSync(join(tmpdir(), 'edgepass-bench-inputs-'));
    const log = console.log;
    let logged = '';
    try {
      writeFileSync(join(dir, 'rsa.pem'), rsa.publicPem);
      writeFileSync(join(dir, 'ec.pem'), ec.publicPem);
      const configFile = join(dir, 'edgepass.config.json');
      writeFileSync(
        configFile,
        JSON.stringify({
          domains: [HOST],
          publicPaths: ['/*/img/*/*.png', '/assets/*'],
          keyGroup: [
            { id: RSA_ID, publicKeyFile: 'rsa.pem' },
            { id: EC_ID, publicKeyFile: 'ec.pem' },
          ],
          signingSecretId: 'edgepass/bench',
        }),
      );
      const bundle = buildBenchBundle(configFile, join(dir, 'viewer-request.js'));
      const { handler } = createRequire(__filename)(bundle.outfile) as { handler: ViewerRequestHandler };
      const sign = { keyPairId: RSA_ID, privateKey: rsa.privatePem, expires: now + 3600, now };
      const cookiesFor = (resource: string, extra: Partial<typeof sign> & { ipAddress?: string } = {}) =>
        cookieHeader(signCookies(resource, { ...sign, ...extra }));

      // The longest literal resource any signer can fit in a signed URL (the resource appears twice:
      // in the URL and, base64-encoded, in the Policy param): a custom policy bound to an IP range.
      const literalPath = padded('/videos/42/', 'a', 3170);
      const literalUrl = signUrl(`${ORIGIN}${literalPath}`, { ...sign, ipAddress: '203.0.113.0/24' });
      // The longest grant the schema allows: 256 characters with 8 stars, against an 8 KB path full of
      // near-misses for every chunk.
      const grant = `/v*/${'a'.repeat(24)}*/${'b'.repeat(24)}*/${'c'.repeat(24)}*/${'d'.repeat(24)}*/${'e'.repeat(24)}*/${'f'.repeat(24)}*/${'g'.repeat(24)}*`;
      const wildcardCookie = cookiesFor(`${ORIGIN}${grant}`);
      const nearMisses = `/v/${padded('', `${'a'.repeat(23)}x/`, 7600)}${['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((c) => `${c.repeat(24)}/`).join('')}end`;
      const normalCookie = cookiesFor(`${ORIGIN}/videos/42/*`);
      const junk = padded(
        '',
        'session-xyz=0123456789abcdef0123456789abcdef; ',
        MAX_COOKIE_HEADER - normalCookie.length - 8,
      );
      const longQuery = padded('', 'k=v&', MAX_URL - 64 - 1).slice(0, -1);
      // The third review's shapes (F1, F5). A key holder's pattern with a 2,000-character middle chunk
      // (V8's indexOf builds skip tables from a needle's last 250 characters only), near-missed by an
      // 8 KB path; and unauthenticated inputs that cost 27–56× before: a forged policy nested 6,000
      // deep, a signing param followed by 8,000 `&`, a 20 KB Referer of signing params on a public
      // path, 20 KB of `CloudFront-` cookie names.
      const longChunk = `${'a'.repeat(8)}b${'a'.repeat(1991)}`;
      // edgepass's signers refuse such a resource (the gate never matches it): signed as another would.
      const chunkPolicy = customPolicy({ resource: `${ORIGIN}/videos/*${longChunk}*`, dateLessThan: now + 3600 });
      const chunkCookie = cookieHeader({
        'CloudFront-Policy': encodeCloudFrontBase64(chunkPolicy),
        'CloudFront-Signature': encodeCloudFrontBase64(cryptoSign('sha1', Buffer.from(chunkPolicy), rsa.privatePem)),
        'CloudFront-Key-Pair-Id': RSA_ID,
      });
      const nested = Buffer.from('['.repeat(6000))
        .toString('base64')
        .replaceAll('+', '-')
        .replaceAll('=', '_')
        .replaceAll('/', '~');
      const manyNames = padded('', 'CloudFront-X=1;', MAX_COOKIE_HEADER - 16);
      const signingReferer = `${ORIGIN}/assets/app.js?${padded('', 'Signature=x&', 20_000)}keep=1`;
      // And the third outside attack's: a key holder's 4,000-star pattern, 2,000 headers on a public
      // path, 800 separate Cookie headers, a signing cookie name behind 20 KB of blanks.
      const starPolicy = customPolicy({ resource: `${ORIGIN}/videos/${'a*'.repeat(4000)}`, dateLessThan: now + 3600 });
      const starCookie = cookieHeader({
        'CloudFront-Policy': encodeCloudFrontBase64(starPolicy),
        'CloudFront-Signature': encodeCloudFrontBase64(cryptoSign('sha1', Buffer.from(starPolicy), rsa.privatePem)),
        'CloudFront-Key-Pair-Id': RSA_ID,
      });

      const cases: Case[] = [
        {
          id: 'normal',
          short: 'normal',
          label: 'Normal decision: `/videos/42/720p/segment-00001.ts` with a cached cookie → allow (reference)',
          uri: '/videos/42/720p/segment-00001.ts',
          cookie: normalCookie,
          expect: 'allow',
        },
        {
          id: 'plain',
          short: 'plain 8 KB',
          label: 'Plain 8 KB path without credentials: `/videos/aaaa…`',
          uri: padded('/videos/', 'a', MAX_URL - 2),
          cookie: '',
          expect: 'deny',
        },
        {
          id: 'glob',
          short: 'glob',
          label: 'Adversarial 8 KB path for the public pattern: `/a/img/a/img/…/x` (a backtracking regex took 10 s)',
          uri: `${padded('/', 'a/img/', MAX_URL - 8)}x`,
          cookie: '',
          expect: 'deny',
          path: true,
        },
        {
          id: 'wide',
          short: 'wide',
          label: 'Adversarial 8 KB path of escaped non-ASCII: `/%C3%A9%C3%A9…` (UTF-8 check + NFKC)',
          uri: padded('/', '%C3%A9', MAX_URL - 2),
          cookie: '',
          expect: 'deny',
          path: true,
        },
        {
          id: 'escapes',
          short: 'escapes',
          label: 'Adversarial 8 KB path of ASCII escapes: `/%20a%20a…`',
          uri: padded('/', '%20a', MAX_URL - 2),
          cookie: '',
          expect: 'deny',
          path: true,
        },
        {
          id: 'dots',
          short: 'dots',
          label: 'Adversarial 8 KB path of dots and slashes: `/.a/.a/…`',
          uri: padded('/', '.a/', MAX_URL - 2).replace(/\/$/, ''),
          cookie: '',
          expect: 'deny',
          path: true,
        },
        {
          id: 'literal',
          short: 'literal',
          label: `Longest literal resource: a signed URL whose custom policy names a ${literalPath.length}-character path (URL ${literalUrl.length} B), repeated`,
          uri: literalPath,
          querystring: literalUrl.slice(literalUrl.indexOf('?') + 1),
          cookie: '',
          expect: 'allow',
        },
        {
          id: 'wildcard',
          short: 'wildcard',
          label: `Longest grant pattern (${grant.length} chars, 8 \`*\`) against an 8 KB path of near-misses, cached cookie`,
          uri: nearMisses,
          cookie: wildcardCookie,
          expect: 'allow',
        },
        {
          id: 'cookie',
          short: 'cookie 20 KB',
          label: `Longest Cookie header read: ${MAX_COOKIE_HEADER.toLocaleString('en-US')} B of other cookies before the CloudFront ones, cached`,
          uri: '/videos/42/720p/segment-00001.ts',
          cookie: `${junk}; ${normalCookie}`.slice(-MAX_COOKIE_HEADER),
          expect: 'allow',
        },
        {
          id: 'query',
          short: 'query 8 KB',
          label: 'Longest query: 8 KB of `k=v&…` on a segment with a cached cookie (the wildcard covers the query)',
          uri: '/videos/42/720p/segment-00001.ts',
          querystring: longQuery,
          cookie: normalCookie,
          expect: 'allow',
        },
        {
          id: 'chunk',
          short: 'long chunk',
          label:
            'Key holder’s pattern `/videos/*a⁸ba¹⁹⁹¹*` (2,000 characters between two stars: never matched) against an 8 KB path of `a`, cached cookie → deny',
          uri: padded('/videos/', 'a', MAX_URL - 200),
          cookie: chunkCookie,
          expect: 'deny',
        },
        {
          id: 'nested',
          short: 'nested',
          label: 'Forged policy nested 6,000 deep (`[[[…` base64) in the query → MalformedPolicy',
          uri: '/videos/42/720p/segment-00001.ts',
          querystring: `Policy=${nested}&Signature=abc_&Key-Pair-Id=${RSA_ID}`,
          cookie: '',
          expect: 'deny',
        },
        {
          id: 'amps',
          short: '8,000 &',
          label: '`Key-Pair-Id=…` followed by 8,000 `&` in the query → deny',
          uri: '/videos/42/720p/segment-00001.ts',
          querystring: `Key-Pair-Id=${RSA_ID}${'&'.repeat(8000)}`,
          cookie: '',
          expect: 'deny',
        },
        {
          id: 'referer',
          short: 'referer 20 KB',
          label: '20 KB Referer of `Signature=x&…` on a public path → pass, Referer stripped',
          uri: '/assets/app.js',
          cookie: '',
          referer: signingReferer,
          expect: 'pass',
        },
        {
          id: 'names',
          short: 'cookie names',
          label: `${MAX_COOKIE_HEADER.toLocaleString('en-US')} B of \`CloudFront-X=1;\` cookie names (${Math.floor(manyNames.length / 15).toLocaleString('en-US')} names) → deny`,
          uri: '/videos/42/720p/segment-00001.ts',
          cookie: manyNames,
          expect: 'deny',
        },
        {
          id: 'stars',
          short: '4,000 stars',
          label:
            'Key holder’s pattern of 4,000 `*` (more than 16 in a section: never matched) against an 8 KB path, cached cookie → deny',
          uri: padded('/videos/', 'a', MAX_URL - 200),
          cookie: starCookie,
          expect: 'deny',
        },
        {
          id: 'headers',
          short: '2,000 headers',
          label: 'Public path with 2,000 one-letter headers (forwarded without a copy) → pass',
          uri: '/assets/app.js',
          cookie: 'theme=dark',
          extraHeaders: 2000,
          expect: 'pass',
        },
        {
          id: 'cookie-headers',
          short: '800 Cookie headers',
          label:
            'Cached cookie plus 800 separate `CloudFront-Policy=…` Cookie headers (joined, stripped in one pass) → allow',
          uri: '/videos/42/720p/segment-00001.ts',
          cookie: normalCookie,
          moreCookies: Array.from({ length: 800 }, (_, i) => `CloudFront-Policy=x${i}`),
          expect: 'allow',
        },
        {
          id: 'blanks',
          short: '20 KB blanks',
          label: '`CloudFront-Policy=a;` followed by 20 KB of spaces and tabs, then a cookie → deny',
          uri: '/videos/42/720p/segment-00001.ts',
          cookie: `CloudFront-Policy=a;${' \t'.repeat(10_000)}x=1`,
          expect: 'deny',
        },
      ];

      console.log = (line?: unknown) => {
        logged = String(line);
      };
      const contenders = cases.map((c) => {
        // As Lambda delivers it: parsed from JSON, so every string is flat.
        const event = JSON.parse(
          JSON.stringify(viewerRequestEvent(c.uri, c.cookie, `bench-${c.id}`, c.querystring ?? '')),
        ) as ReturnType<typeof viewerRequestEvent>;
        const headers = event.Records[0]?.cf.request.headers as { cookie?: unknown; referer?: unknown } | undefined;
        if (c.cookie === '' && headers !== undefined) delete headers.cookie;
        if (c.referer !== undefined && headers !== undefined) headers.referer = [{ key: 'Referer', value: c.referer }];
        if (c.moreCookies !== undefined && headers !== undefined) {
          headers.cookie = [c.cookie, ...c.moreCookies].map((value) => ({ key: 'Cookie', value }));
        }
        for (let i = 0; i < (c.extraHeaders ?? 0); i++) {
          (headers as Record<string, unknown>)[`x${i}`] = [{ key: `X${i}`, value: 'v' }];
        }
        const marker = `"decision":"${c.expect}"`;
        const again = replayable(event);
        return {
          id: c.id,
          fn: () => {
            logged = '';
            const result = handler(again());
            if (!logged.includes(marker)) throw new Error(`${c.id}: expected ${marker}, got ${logged}`);
            return result;
          },
        };
      });
      for (const contender of contenders) await contender.fn();
      const m = measureInterleaved(contenders, options);
      console.log = log;

      const rows = cases.map(
        (c): Row => ({
          id: `inputs.${c.id}`,
          short: c.short,
          label: `${c.label} (${c.uri.length.toLocaleString('en-US')}-char path)`,
          measurement: m.get(c.id),
          ...(c.id === 'normal'
            ? {}
            : c.path === true
              ? {
                  ratios: [
                    { to: 'inputs.plain', min: 0.5 },
                    { to: 'inputs.normal', min: 0.1 },
                  ],
                }
              : { ratios: [{ to: 'inputs.normal', min: 0.1 }] }),
        }),
      );

      // Heap: 10,000 distinct worst-case requests (the literal-resource class, each freshly signed with
      // ECDSA, plus a 20 KB Cookie header) in a process with a 100 MB heap.
      const heapConfig = join(dir, 'heap.json');
      const script = join(dir, 'heap.cjs');
      writeFileSync(
        heapConfig,
        JSON.stringify({
          keyPairId: EC_ID,
          privateKey: ec.privatePem,
          origin: ORIGIN,
          host: HOST,
          path: literalPath,
          junk: junk.slice(0, MAX_COOKIE_HEADER - 16),
          count: HEAP_REQUESTS,
          now,
        }),
      );
      writeFileSync(script, HEAP_SCRIPT);
      const library = join(repoRoot(), 'dist', 'index.cjs');
      const started = performance.now();
      const heap = JSON.parse(
        execFileSync(
          process.execPath,
          [`--max-old-space-size=${HEAP_LIMIT_MB}`, '--expose-gc', script, bundle.outfile, library, heapConfig],
          { encoding: 'utf8', timeout: 120_000 },
        ),
      ) as { allowed: number; growth: number; rss: number };
      const elapsed = performance.now() - started;
      if (heap.allowed !== HEAP_REQUESTS) throw new Error(`heap run: ${heap.allowed} of ${HEAP_REQUESTS} allowed`);
      const growthMb = heap.growth / 1024 / 1024;
      rows.push(
        {
          id: 'inputs.heap.bound',
          short: `${HEAP_GROWTH_BOUND_MB} MB bound`,
          label: `Budget: heap kept after ${HEAP_REQUESTS.toLocaleString('en-US')} distinct worst-case requests ≤ ${HEAP_GROWTH_BOUND_MB} MB, as a rate (1 / MB)`,
          measurement: fromSamples([HEAP_GROWTH_BOUND_MB * 1000]),
        },
        {
          id: 'inputs.heap',
          short: 'heap',
          label: `Heap run: \`node --max-old-space-size=${HEAP_LIMIT_MB}\`, ${HEAP_REQUESTS.toLocaleString('en-US')} distinct signed URLs (3 KB literal resources) with 20 KB Cookie headers, all allowed; heap kept after GC ${growthMb.toFixed(2)} MB, RSS ${(heap.rss / 1024 / 1024).toFixed(0)} MB, ${(elapsed / 1000).toFixed(1)} s (shown as a rate: 1 / MB)`,
          measurement: fromSamples([Math.max(growthMb, 0.01) * 1000]),
          ratios: [{ to: 'inputs.heap.bound', min: 1 }],
        },
      );
      return rows;
    } finally {
      console.log = log;
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
