import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { createKeyValueStore, loadCloudFrontFunction } from '../../dev/cloudfront-functions-runtime';
import { signUrl } from '../../shared';
import { SESSION_COOKIE } from '../../shared/edge/session-token';
import {
  forgedSessionCookie,
  functionEventFor,
  loadBuiltFunction,
  newSessionKey,
  sessionCookie,
  TEST_SESSION_KEY_ID,
} from '../fixtures/built-function';
import { SAMPLE_HOST, SAMPLE_KEY_PAIR_ID, SAMPLE_PRIVATE_KEY } from '../fixtures/built-gate';
import { BROWSER_ACCEPT } from '../fixtures/viewer-events';

const require = createRequire(import.meta.url);
const { CLOUDFRONT_FUNCTION_MAX_BYTES } =
  require('../../scripts/cloudfront-function.cjs') as typeof import('../../scripts/cloudfront-function.cjs');

/**
 * The CloudFront Functions gate as CloudFront receives it: the script `npm run build` writes, run in
 * the cloudfront-js-2.0 stand-in (dev/cloudfront-functions-runtime.ts) with the repository's own
 * configuration. The hidden-path and grant-escape suites run against it too (gate-fails-closed,
 * property-gate-respellings); this file covers what is its own: the script's shape and size, the
 * session token, the KeyValueStore and what the runtime forbids.
 */

const fn = loadBuiltFunction();
const now = Math.floor(Date.now() / 1000);
const FREE = `https://${SAMPLE_HOST}/videos/free/*`;

async function decide(uri: string, extra: { cookies?: string[]; querystring?: string; api?: boolean } = {}) {
  const result = await fn.handle({
    uri,
    ...(extra.cookies === undefined ? {} : { cookies: extra.cookies }),
    ...(extra.querystring === undefined ? {} : { querystring: extra.querystring }),
    ...(extra.api === true ? {} : { accept: BROWSER_ACCEPT }),
  });
  return { result, log: fn.logs.at(-1) as Record<string, unknown> };
}

describe('the built CloudFront Function script', () => {
  it(`fits CloudFront Functions' ${CLOUDFRONT_FUNCTION_MAX_BYTES} bytes with the repository's configuration`, () => {
    console.log(`cloudfront function: ${fn.bytes} B (limit ${CLOUDFRONT_FUNCTION_MAX_BYTES} B)`);
    expect(fn.bytes).toBeLessThanOrEqual(CLOUDFRONT_FUNCTION_MAX_BYTES);
  });

  it('is one script: the two documented imports, a global async handler, no export, no other import', () => {
    const script = readFileSync(fn.outfile, 'utf8');
    expect(script.startsWith(`import cf from"cloudfront";import crypto from"crypto";`)).toBe(true);
    expect(script.match(/\bimport\b/g)).toHaveLength(2);
    expect(script).not.toMatch(/\bexport\b/);
    expect(script).toMatch(/async function handler\(event\)/);
    expect(script.match(/\basync\b/g)).toHaveLength(1);
  });
});

describe('the session token decides', () => {
  it('forwards a request inside the token’s resource and removes every credential from it', async () => {
    const cookies = [`theme=dark; ${sessionCookie(FREE, now + 600)}; CloudFront-Policy=x; CloudFront-Key-Pair-Id=K`];
    const { result, log } = await decide('/videos/free/intro.m3u8', { cookies, querystring: 'lang=en' });
    expect(result.status).toBeUndefined();
    expect(result.uri).toBe('/videos/free/intro.m3u8');
    expect(result.querystring).toBe('lang=en');
    expect(result.headers.cookie).toEqual([{ key: 'Cookie', value: 'theme=dark' }]);
    expect(log).toMatchObject({ decision: 'allow', reason: 'ok', keyPairId: TEST_SESSION_KEY_ID });
  });

  it.each<[string, () => string[], string, string]>([
    ['no token', () => [], 'missing-key-pair-id', 'MissingKey'],
    ['an empty token', () => [`${SESSION_COOKIE}=`], 'missing-key-pair-id', 'MissingKey'],
    ['a token that is not one', () => [`${SESSION_COOKIE}=v1.x`], 'malformed-policy', 'MalformedPolicy'],
    ['a key id the store lacks', () => [sessionCookie(FREE, now + 600, 'SGONE')], 'unknown-key', 'InvalidKey'],
    [
      'a token MAC’d with another key',
      () => [sessionCookie(FREE, now + 600, TEST_SESSION_KEY_ID, newSessionKey())],
      'bad-signature',
      'AccessDenied',
    ],
    ['an expired token', () => [sessionCookie(FREE, now - 1)], 'expired', 'AccessDenied'],
    [
      'a token for another path',
      () => [sessionCookie(`https://${SAMPLE_HOST}/reports/*`, now + 600)],
      'resource-mismatch',
      'AccessDenied',
    ],
    [
      'a token for another host',
      () => [sessionCookie(`https://other.example/videos/free/*`, now + 600)],
      'resource-mismatch',
      'AccessDenied',
    ],
  ])('denies %s with %s (CloudFront code %s)', async (_, cookies, reason, code) => {
    const { result, log } = await decide('/videos/free/a.ts', { cookies: cookies(), api: true });
    expect(result.status).toBe('403');
    expect(result.body).toContain(`<Code>${code}</Code>`);
    expect(result.headers['content-type']).toEqual([{ key: 'Content-Type', value: 'text/xml' }]);
    expect(log).toMatchObject({ decision: 'deny', reason });
  });

  it('denies a token whose MAC was changed by one character', async () => {
    const cookie = sessionCookie(FREE, now + 600);
    const last = cookie.at(-1) === 'A' ? 'B' : 'A';
    const { log } = await decide('/videos/free/a.ts', { cookies: [`${cookie.slice(0, -1)}${last}`], api: true });
    expect(log).toMatchObject({ decision: 'deny', reason: 'bad-signature' });
  });

  it('sends a browser without a valid token to the login page with a safe return_to and no-store', async () => {
    const { result } = await decide('/videos/free/a.ts', { querystring: 't=10' });
    expect(result.status).toBe('302');
    expect(result.headers.location).toEqual([
      { key: 'Location', value: '/login?return_to=%2Fvideos%2Ffree%2Fa.ts%3Ft%3D10' },
    ]);
    expect(result.headers['cache-control']).toEqual([{ key: 'Cache-Control', value: 'no-store' }]);
  });

  it('reads only the first session cookie (the most specific Path), as CloudFront reads its own', async () => {
    const other = sessionCookie(`https://${SAMPLE_HOST}/reports/*`, now + 600);
    const good = sessionCookie(FREE, now + 600);
    expect((await decide('/videos/free/a.ts', { cookies: [`${good}; ${other}`] })).log.decision).toBe('allow');
    expect((await decide('/videos/free/a.ts', { cookies: [`${other}; ${good}`], api: true })).log.reason).toBe(
      'resource-mismatch',
    );
  });

  it('cannot check a CloudFront signed URL: its params admit nothing and never reach the origin', async () => {
    const signed = signUrl(`https://${SAMPLE_HOST}/videos/free/a.ts?lang=en`, {
      keyPairId: SAMPLE_KEY_PAIR_ID,
      privateKey: SAMPLE_PRIVATE_KEY,
      expires: now + 600,
      now,
    });
    const querystring = signed.slice(signed.indexOf('?') + 1);
    expect((await decide('/videos/free/a.ts', { querystring, api: true })).log).toMatchObject({
      decision: 'deny',
      reason: 'missing-key-pair-id',
    });
    const { result } = await decide('/videos/free/a.ts', { querystring, cookies: [sessionCookie(FREE, now + 600)] });
    expect(result.status).toBeUndefined();
    expect(result.querystring).toBe('lang=en');
  });

  it('refuses every percent-encoded non-ASCII character (it has no Unicode normalisation)', async () => {
    const { result, log } = await decide('/videos/free/caf%C3%A9.mp4', { cookies: [sessionCookie(FREE, now + 600)] });
    expect(result.status).toBe('400');
    expect(log).toMatchObject({ decision: 'reject', detail: 'non-ascii-escape' });
  });

  it('never matches a long ? run between two stars, even in a token the key MAC’d', async () => {
    const resource = `https://${SAMPLE_HOST}/videos/free/*${'?'.repeat(2500)}b*`;
    const { result, log } = await decide(`/videos/free/${'a'.repeat(4000)}b`, {
      cookies: [forgedSessionCookie(resource, now + 600)],
      api: true,
    });
    expect(result.status).toBe('403');
    expect(log).toMatchObject({ decision: 'deny', reason: 'resource-mismatch' });
  });

  it('answers an event it cannot read with a 400, never a throw', async () => {
    for (const event of [null, {}, { request: { uri: 1, method: 'GET' } }]) {
      expect(await fn.run(event)).toMatchObject({ statusCode: 400 });
      expect(fn.logs.at(-1)).toMatchObject({ decision: 'reject', detail: 'event' });
    }
  });

  it('picks up a key added to the store, and denies with unknown-key once it is removed', async () => {
    const store = createKeyValueStore();
    const local = loadBuiltFunction(undefined, { store });
    const key = newSessionKey();
    const cookies = [sessionCookie(FREE, now + 600, 'SROTATE2', key)];
    expect((await local.handle({ uri: '/videos/free/a.ts', cookies })).status).toBe('403');
    store.put('session-key:SROTATE2', key);
    expect((await local.handle({ uri: '/videos/free/a.ts', cookies })).status).toBeUndefined();
    store.delete('session-key:SROTATE2');
    expect((await local.handle({ uri: '/videos/free/a.ts', cookies })).status).toBe('403');
    expect(local.logs.at(-1)).toMatchObject({ reason: 'unknown-key' });
  });
});

describe('the runtime stand-in holds the script to the cloudfront-js-2.0 contract', () => {
  const run = (body: string) => loadCloudFrontFunction(body, createKeyValueStore()).run({ request: {} });

  it.each([
    ['Map', 'async function handler() { return new Map(); }'],
    ['Set', 'async function handler() { return new Set(); }'],
    ['String.prototype.normalize', "async function handler() { return 'a'.normalize('NFKC'); }"],
    ['Object.fromEntries', 'async function handler() { return Object.fromEntries([]); }'],
    ['Array.from', "async function handler() { return Array.from('ab'); }"],
    ['a Unicode regular expression', "async function handler() { return new RegExp('\\\\p{L}', 'u'); }"],
    ['timers', 'async function handler() { return setTimeout(() => 0, 1); }'],
    ['require', "async function handler() { return require('fs'); }"],
    ['process', 'async function handler() { return process.env; }'],
    ['fetch', "async function handler() { return fetch('https://example.com'); }"],
    ['eval', "async function handler() { return eval('1'); }"],
    ['the Function constructor', "async function handler() { return new Function('return 1')(); }"],
    ['console.log with two arguments', "async function handler() { console.log('a', 'b'); }"],
    ['crypto beyond hashes and HMACs', 'async function handler() { return crypto.createSign("sha256"); }'],
    ['an unknown hash', "async function handler() { return crypto.createHash('sha512'); }"],
  ])('fails a script that touches %s', async (_, body) => {
    await expect(run(body)).rejects.toThrow();
  });

  it('refuses a script with an export or another import', () => {
    const store = createKeyValueStore();
    expect(() => loadCloudFrontFunction('export function handler() {}', store)).toThrow();
    expect(() => loadCloudFrontFunction("import fs from 'fs';\nfunction handler() {}", store)).toThrow();
    expect(() => loadCloudFrontFunction('const handler = 1;', store)).toThrow(/no global function handler/);
  });

  it('gives what the page documents: HMAC digests, KeyValueStore reads, a frozen Date, one-argument logs', async () => {
    const store = createKeyValueStore({ k: 'v', j: '{"a":1}' });
    const script = `import crypto from 'crypto';
import cf from 'cloudfront';
async function handler(event) {
  const kvs = cf.kvs();
  let missing = 'no';
  try { await kvs.get('absent'); } catch (e) { missing = 'threw'; }
  console.log('ran');
  return {
    mac: crypto.createHmac('sha256', 'key').update('data').digest('base64url'),
    hash: crypto.createHash('md5').update('x').digest('hex'),
    value: await kvs.get('k'),
    json: await kvs.get('j', { format: 'json' }),
    exists: await kvs.exists('k'),
    missing,
    now: Date.now(),
    same: Date.now() === new Date().getTime(),
    text: new TextDecoder().decode(new TextEncoder().encode('é')),
    b64: btoa('hi') + atob('aGk=') + Buffer.from('hi').toString('base64url'),
  };
}`;
    const loaded = loadCloudFrontFunction(script, store);
    const answer = (await loaded.run({}, 1_795_867_200_000)) as Record<string, unknown>;
    expect(answer).toMatchObject({
      value: 'v',
      json: { a: 1 },
      exists: true,
      missing: 'threw',
      now: 1_795_867_200_000,
      same: true,
      text: 'é',
      b64: 'aGk=hiaGk',
    });
    expect(answer.mac).toBe('UDH-PZicbRU3oBP6bnOdojRj_a7DtwE32Cjjas4iG9A');
    expect(loaded.takeLogs()).toEqual(['ran']);
  });

  it('runs the event exactly as built for Lambda@Edge-shaped options (the suites’ shared input)', () => {
    const event = functionEventFor({ uri: '/a', querystring: 'x=1&x=2', cookies: ['a=1; b=2', 'a=3'] });
    expect(event.request.querystring.x).toEqual({ value: '1', multiValue: [{ value: '1' }, { value: '2' }] });
    expect(event.request.cookies.a).toEqual({ value: '1', multiValue: [{ value: '1' }, { value: '3' }] });
    expect(event.request.headers.cookie).toBeUndefined();
    expect(event.request.rawQueryString()).toBe('x=1&x=2');
  });
});
