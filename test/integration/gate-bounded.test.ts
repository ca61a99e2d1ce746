import { execFileSync } from 'node:child_process';
import { sign as cryptoSign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { customPolicy, encodeCloudFrontBase64, signCookies, signUrl } from '../../shared';
import { loadBuiltGate, SAMPLE_HOST, SAMPLE_KEY_PAIR_ID, SAMPLE_PRIVATE_KEY } from '../fixtures/built-gate';
import { viewerRequestEvent } from '../fixtures/viewer-events';

/**
 * The outside review's resource findings (issue 8) on the built Lambda@Edge bundle: whatever a request
 * holds, the gate's log line stays small and holds no raw attacker bytes, a URL over the limit is
 * refused before anything scans it, and the verified-signature cache keeps copies, not slices of
 * 20 KB Cookie headers.
 */

const gate = loadBuiltGate();
const now = Math.floor(Date.now() / 1000);
const sign = { keyPairId: SAMPLE_KEY_PAIR_ID, privateKey: SAMPLE_PRIVATE_KEY, expires: now + 600, now };
const MAX_LOG_LINE = 1024;

function lastLine(): string {
  const line = gate.rawLogs.at(-1);
  if (line === undefined) throw new Error('the gate logged nothing');
  return line;
}

describe('the gate’s log line', () => {
  it('stays under 1 KB for a 20,400-character CloudFront-Key-Pair-Id cookie, and flags it instead of echoing it', async () => {
    const cookie = `CloudFront-Key-Pair-Id=${'K'.repeat(20_400)}; CloudFront-Signature=abc; CloudFront-Expires=1`;
    await gate.handle(viewerRequestEvent({ uri: '/videos/a.ts', cookies: [cookie.slice(0, 20_000)] }));
    // Over the 20 KB Cookie limit the header is not read at all; just under it the key id is read.
    const underLimit = `CloudFront-Key-Pair-Id=${'K'.repeat(19_000)}; CloudFront-Signature=abc; CloudFront-Expires=1`;
    await gate.handle(viewerRequestEvent({ uri: '/videos/a.ts', cookies: [underLimit] }));
    const line = lastLine();
    expect(line.length).toBeLessThan(MAX_LOG_LINE);
    expect(JSON.parse(line)).toMatchObject({ decision: 'deny', keyPairIdMalformed: true });
    expect(line).not.toContain('KKKKKKKKKKKKKKKK');
  });

  it('never logs the query, even a 16 KB Key-Pair-Id of control characters', async () => {
    const query = `Expires=1&Signature=abc&Key-Pair-Id=${'%01'.repeat(2000)}`;
    await gate.handle(viewerRequestEvent({ uri: '/videos/a.ts', querystring: query }));
    const line = lastLine();
    expect(line.length).toBeLessThan(MAX_LOG_LINE);
    expect(line).not.toContain('%01');
    expect(line).not.toContain('\\u0001');
  });

  it('logs a refused path as a short escaped prefix: no control, bidi or escape character gets through', async () => {
    const uri = `/\u001b[2K\r\u202eSignature valid for key K1${'x'.repeat(9000)}`;
    await gate.handle(viewerRequestEvent({ uri: uri.slice(0, 8000) }));
    const line = lastLine();
    expect(line.length).toBeLessThan(MAX_LOG_LINE);
    expect(JSON.parse(line)).toMatchObject({ decision: 'reject', detail: 'forbidden-character' });
    expect(/[^\x20-\x7e]/.test(line)).toBe(false);
  });

  it('is bounded and printable ASCII for any request (property)', async () => {
    const text = fc.string({ unit: 'binary', maxLength: 300 });
    const big = fc.integer({ min: 0, max: 12_000 }).map((n) => 'A'.repeat(n));
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(text, big).map(([a, b]) => `/${a}${b}`),
        fc.tuple(text, big).map(([a, b]) => `Key-Pair-Id=${a}${b}&Signature=${a}&Expires=${b.length}`),
        fc.tuple(text, big).map(([a, b]) => `CloudFront-Key-Pair-Id=${a}${b}; CloudFront-Policy=${a}`),
        text,
        async (uri, querystring, cookie, requestId) => {
          const event = viewerRequestEvent({ uri, querystring, cookies: [cookie] });
          (event.Records[0]?.cf.config as { requestId: string }).requestId = requestId;
          await gate.handle(event);
          const line = lastLine();
          expect(line.length).toBeLessThan(MAX_LOG_LINE);
          expect(/[^\x20-\x7e]/.test(line)).toBe(false);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('cheap checks first', () => {
  it('refuses a URL over 8,192 bytes as too long before looking at its path', async () => {
    const result = await gate.handle(viewerRequestEvent({ uri: `/videos/${'\\'.repeat(8200)}` }));
    expect(result.status).toBe('400');
    expect(JSON.parse(lastLine())).toMatchObject({ decision: 'reject', detail: 'url-too-long' });
  });

  it('counts the query against the limit too', async () => {
    const url = signUrl(`https://${SAMPLE_HOST}/videos/free/a.ts?pad=${'p'.repeat(7000)}`, sign);
    const query = `${url.slice(url.indexOf('?') + 1)}&more=${'m'.repeat(1500)}`;
    await gate.handle(viewerRequestEvent({ uri: '/videos/free/a.ts', querystring: query }));
    expect(JSON.parse(lastLine())).toMatchObject({ decision: 'reject', detail: 'url-too-long' });
  });
});

describe('the verified-signature cache', () => {
  it('keeps copies, not slices: 1,024 cookie sets padded with 19 KB each retain about 1 MB, not 20 MB', () => {
    const cookies = Array.from({ length: 1024 }, (_, i) => {
      const set = signCookies(`https://${SAMPLE_HOST}/videos/*`, { ...sign, expires: now + 600 + i });
      return Object.entries(set)
        .map(([name, value]) => `${name}=${value}`)
        .join('; ');
    });
    const dir = join(gate.outfile, '..');
    writeFileSync(join(dir, 'cookies.json'), JSON.stringify(cookies));
    // A fresh process with explicit GC: heap used before and after 1,024 decisions, garbage collected.
    const script = `
      const { readFileSync } = require('node:fs');
      const cookies = JSON.parse(readFileSync(${JSON.stringify(join(dir, 'cookies.json'))}, 'utf8'));
      console.log = () => {};
      const { handler } = require(${JSON.stringify(gate.outfile)});
      const event = (cookie, i) => JSON.parse(JSON.stringify({ Records: [{ cf: { config: { requestId: 'r' + i }, request: {
        clientIp: '203.0.113.1', method: 'GET', querystring: '', uri: '/videos/' + i + '.ts',
        headers: { host: [{ key: 'Host', value: ${JSON.stringify(SAMPLE_HOST)} }],
          cookie: [{ key: 'Cookie', value: 'pad=' + String(i).padStart(19000, 'p') + '; ' + cookie }] } } } }] }));
      (async () => {
        await handler(event(cookies[0], -1));
        global.gc(); global.gc();
        const before = process.memoryUsage().heapUsed;
        let allowed = 0;
        for (let i = 0; i < cookies.length; i++) {
          const result = await handler(event(cookies[i], i));
          if (!('status' in result)) allowed++;
        }
        global.gc(); global.gc();
        process.stdout.write(JSON.stringify({ allowed, retained: process.memoryUsage().heapUsed - before }));
      })();
    `;
    const out = JSON.parse(
      execFileSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: 60_000 }),
    ) as { allowed: number; retained: number };
    expect(out.allowed).toBe(1024);
    // 1,024 entries of ~1.3 KB (signature, policy text, compiled pattern) and their objects: well under 8 MB.
    expect(out.retained).toBeLessThan(8 * 1024 * 1024);
  });
});

describe('the third review’s inputs (F1, F5): each gets its defined outcome, read within a bound', () => {
  const cookieHeader = (set: object) =>
    Object.entries(set)
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');

  it('never matches a key holder’s pattern with 2,000 characters between two stars, even where it occurs', async () => {
    // edgepass's signers refuse such a resource; sign it as another signer would, with node:crypto.
    const chunk = `${'a'.repeat(8)}b${'a'.repeat(1991)}`;
    const policy = customPolicy({ resource: `https://${SAMPLE_HOST}/videos/*${chunk}*`, dateLessThan: now + 600 });
    const signature = cryptoSign('sha1', Buffer.from(policy), SAMPLE_PRIVATE_KEY);
    const cookie = cookieHeader({
      'CloudFront-Policy': encodeCloudFrontBase64(policy),
      'CloudFront-Signature': encodeCloudFrontBase64(signature),
      'CloudFront-Key-Pair-Id': SAMPLE_KEY_PAIR_ID,
    });
    for (const uri of [`/videos/x${chunk}.ts`, `/videos/${'a'.repeat(8000)}`]) {
      const result = await gate.handle(viewerRequestEvent({ uri, cookies: [cookie] }));
      expect(result.status).toBe('403');
      expect(JSON.parse(lastLine())).toMatchObject({ decision: 'deny', reason: 'resource-mismatch' });
    }
    expect(() => signCookies(`https://${SAMPLE_HOST}/videos/*${chunk}*`, sign)).toThrow(/more than 250 characters/);
  });

  it('refuses a forged policy nested 6,000 deep as malformed, without parsing it', async () => {
    const policy = Buffer.from('['.repeat(6000))
      .toString('base64')
      .replaceAll('+', '-')
      .replaceAll('=', '_')
      .replaceAll('/', '~');
    const query = `Policy=${policy}&Signature=abc_&Key-Pair-Id=${SAMPLE_KEY_PAIR_ID}`;
    const result = await gate.handle(viewerRequestEvent({ uri: '/videos/a.ts', querystring: query }));
    expect(result.status).toBe('403');
    expect(result.body).toContain('<Code>MalformedPolicy</Code>');
  });

  it('denies a signed query of more than 256 parts, and forwards no query at all from a public path', async () => {
    const url = signUrl(`https://${SAMPLE_HOST}/videos/a.ts`, sign);
    const signedQuery = url.slice(url.indexOf('?') + 1);
    const many = `${'x=1&'.repeat(300)}${signedQuery}`;
    const denied = await gate.handle(viewerRequestEvent({ uri: '/videos/a.ts', querystring: many }));
    expect(denied.status).toBe('403');
    expect(JSON.parse(lastLine())).toMatchObject({ reason: 'resource-mismatch' });
    // Within the limit the same URL is fine.
    const fine = await gate.handle(viewerRequestEvent({ uri: '/videos/a.ts', querystring: signedQuery }));
    expect(fine.status).toBeUndefined();
    // A public path with 8,000 `&` and a signing param: passes, with nothing of the query forwarded.
    const hostile = `Key-Pair-Id=${SAMPLE_KEY_PAIR_ID}${'&'.repeat(8000)}`;
    const passed = await gate.handle(viewerRequestEvent({ uri: '/login', querystring: hostile }));
    expect(passed.status).toBeUndefined();
    expect(passed.querystring).toBe('');
  });

  it('strips signing params from a 20 KB Referer without reading more than 256 of its parts', async () => {
    const referer = `https://${SAMPLE_HOST}/login?${'Signature=x&'.repeat(1700)}keep=1`;
    const passed = await gate.handle(viewerRequestEvent({ uri: '/login', referer }));
    expect(passed.status).toBeUndefined();
    // Over the part limit the whole query goes: never a signing param forwarded.
    expect(passed.headers.referer?.[0]?.value).toBe(`https://${SAMPLE_HOST}/login`);
  });

  it('reads no more than 64 CloudFront- names, yet forwards none of 1,700 to the origin', async () => {
    const valid = cookieHeader(signCookies(`https://${SAMPLE_HOST}/videos/*`, sign));
    const junk = Array.from({ length: 1700 }, () => 'CloudFront-Policy=x').join(';');
    // The real cookies first: read and allowed; with that many CloudFront- names no cookie goes on.
    const allowed = await gate.handle(
      viewerRequestEvent({ uri: '/videos/a.ts', cookies: [`${valid}; keep=1;${junk.slice(0, 18_999)}`] }),
    );
    expect(allowed.status).toBeUndefined();
    expect(allowed.headers.cookie).toBeUndefined();
    // Without the junk, the other cookie goes on and the credentials do not.
    const plain = await gate.handle(viewerRequestEvent({ uri: '/videos/a.ts', cookies: [`${valid}; keep=1`] }));
    expect(plain.headers.cookie?.map((header) => header.value)).toEqual(['keep=1']);
    // After 64 other CloudFront- names, the real cookies are not read: no credentials.
    const late = await gate.handle(
      viewerRequestEvent({
        uri: '/videos/a.ts',
        cookies: [`${Array.from({ length: 64 }, (_, i) => `CloudFront-X${i}=1`).join('; ')}; ${valid}`],
      }),
    );
    expect(late.status).toBe('403');
    expect(JSON.parse(lastLine())).toMatchObject({ reason: 'missing-key-pair-id' });
  });
});

describe('the third review of the built gate: counts, not only lengths', () => {
  const cookieHeader = (set: object) =>
    Object.entries(set)
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');
  const valid = () => cookieHeader(signCookies(`https://${SAMPLE_HOST}/videos/*`, sign));

  it('reads a cookie as a credential only within the blanks it strips: never verifies one and forwards it', async () => {
    const set: object = signCookies(`https://${SAMPLE_HOST}/videos/*`, sign);
    const header = (blanks: number) =>
      Object.entries(set)
        .map(([name, value]) => `${name}${name === 'CloudFront-Policy' ? ' '.repeat(blanks) : ''}=${value}`)
        .join('; ');
    // 64 blanks between the name and its `=`: read, allowed, and stripped.
    const within = await gate.handle(viewerRequestEvent({ uri: '/videos/a.ts', cookies: [`a=1; ${header(64)}`] }));
    expect(within.status).toBeUndefined();
    expect(within.headers.cookie).toEqual([{ key: 'Cookie', value: 'a=1' }]);
    // 65 to 72 (an outside review found the reader took up to 72 after CloudFront-Policy, the stripper 64):
    // not a credential, so no allow that would forward it.
    for (const blanks of [65, 72]) {
      const beyond = await gate.handle(
        viewerRequestEvent({ uri: '/videos/a.ts', cookies: [`a=1; ${header(blanks)}`] }),
      );
      expect(beyond.status, `${blanks} blanks`).toBe('403');
    }
  });

  it('forwards a public request of 2,000 headers as it came (no copy), credentials taken out', async () => {
    const event = viewerRequestEvent({ uri: '/login', cookies: [`a=1; ${valid()}`] });
    const request = event.Records[0]?.cf.request as { headers: Record<string, { key: string; value: string }[]> };
    for (let i = 0; i < 2000; i++) request.headers[`x${i}`] = [{ key: `X${i}`, value: 'v' }];
    const result = await gate.handle(event);
    expect(result).toBe(request);
    expect(Object.keys(result.headers).length).toBe(2000 + 3);
    expect(result.headers.cookie).toEqual([{ key: 'Cookie', value: 'a=1' }]);
  });

  it('joins Cookie headers into one and strips every CloudFront- cookie; past 64 such names forwards no cookie at all', async () => {
    const headers = (n: number) => [
      valid(),
      ...Array.from({ length: n }, (_, i) => `CloudFront-Policy=x${i}`),
      'keep=1',
    ];
    const some = await gate.handle(viewerRequestEvent({ uri: '/videos/a.ts', cookies: headers(40) }));
    expect(some.status).toBeUndefined();
    expect(some.headers.cookie).toEqual([{ key: 'Cookie', value: 'keep=1' }]);
    const many = await gate.handle(viewerRequestEvent({ uri: '/videos/a.ts', cookies: headers(800) }));
    expect(many.status).toBeUndefined();
    expect(many.headers.cookie).toBeUndefined();
  });

  it('neither reads nor strips a name behind more than 64 blanks: 20 KB of spaces cost one bounded look', async () => {
    const blanks = ' \t'.repeat(10_000);
    // The credential behind the blanks is not one: no key, 403.
    const behind = cookieHeader(signCookies(`https://${SAMPLE_HOST}/videos/*`, sign)).replaceAll('; ', `;${blanks}`);
    const denied = await gate.handle(viewerRequestEvent({ uri: '/videos/a.ts', cookies: [`x=1;${blanks}${behind}`] }));
    expect(denied.status).toBe('403');
    // Up to 64 blanks it is read and stripped as usual.
    const near = `x=1;${' '.repeat(64)}${valid().replaceAll('; ', `;${'\t'.repeat(64)}`)}`;
    const allowed = await gate.handle(viewerRequestEvent({ uri: '/videos/a.ts', cookies: [near] }));
    expect(allowed.status).toBeUndefined();
    expect(allowed.headers.cookie).toEqual([{ key: 'Cookie', value: 'x=1' }]);
  });

  it('never matches a key holder’s resource with more than 16 * in a section', async () => {
    const stars = (n: number) => `/videos/${'a*'.repeat(n)}`;
    for (const [n, expected] of [
      [16, undefined],
      [17, '403'],
      [4000, '403'],
    ] as const) {
      const policy = customPolicy({ resource: `https://${SAMPLE_HOST}${stars(n)}`, dateLessThan: now + 600 });
      const cookie = cookieHeader({
        'CloudFront-Policy': encodeCloudFrontBase64(policy),
        'CloudFront-Signature': encodeCloudFrontBase64(cryptoSign('sha1', Buffer.from(policy), SAMPLE_PRIVATE_KEY)),
        'CloudFront-Key-Pair-Id': SAMPLE_KEY_PAIR_ID,
      });
      const result = await gate.handle(viewerRequestEvent({ uri: `/videos/${'a'.repeat(20)}`, cookies: [cookie] }));
      expect(result.status, `${n} stars`).toBe(expected);
    }
    expect(() => signCookies(`https://${SAMPLE_HOST}${stars(17)}`, sign)).toThrow(/never matches more than 16/);
  });
});
