import { describe, expect, it } from 'vitest';
import { createKeyValueStore } from '../../dev/cloudfront-functions-runtime';
import { SESSION_COOKIE, sessionKeyName } from '../../shared/edge/session-token';
import { sessionHmac } from '../../shared/identity/session-hmac';
import {
  forgedSessionCookie,
  functionEventFor,
  loadBuiltFunction,
  newSessionKey,
  sessionCookie,
  TEST_SESSION_KEY,
  TEST_SESSION_KEY_ID,
} from '../fixtures/built-function';
import { SAMPLE_HOST } from '../fixtures/built-gate';

/**
 * An outside attack on the built CloudFront Function (issue 12), run in the cloudfront-js-2.0
 * stand-in: respelled paths, forged, expired and other-scope tokens, key id tricks, oversized and
 * repeated cookies and headers. Each case is what an attacker can send; the function must deny (or
 * refuse) it and never forward a credential.
 */

const fn = loadBuiltFunction();
const now = Math.floor(Date.now() / 1000);
const FREE = `https://${SAMPLE_HOST}/videos/free/*`;
const good = sessionCookie(FREE, now + 600);
const token = good.slice(SESSION_COOKIE.length + 1);
const [version, keyId, expires, resource, mac] = token.split('.') as [string, string, string, string, string];
const b64 = (text: string) => Buffer.from(text).toString('base64url');
/** A token MAC'd with the real key: what only a holder of the key could make. */
const macd = (signed: string) => `${SESSION_COOKIE}=${signed}.${sessionHmac(TEST_SESSION_KEY, signed)}`;

async function reason(cookie: string, uri = '/videos/free/a.ts') {
  const result = await fn.handle({ uri, cookies: [cookie] });
  return { status: result.status, ...(fn.logs.at(-1) as { decision: string; reason: string }) };
}

describe('forged and altered session tokens', () => {
  it('admits the genuine token (the control case)', async () => {
    expect(await reason(good)).toMatchObject({ status: undefined, decision: 'allow' });
  });

  it.each<[string, string, string]>([
    [
      'a resource swapped for a wider one',
      `${version}.${keyId}.${expires}.${b64(`https://${SAMPLE_HOST}/*`)}.${mac}`,
      'bad-signature',
    ],
    ['an expiry pushed later', `${version}.${keyId}.${Number(expires) + 86400}.${resource}.${mac}`, 'bad-signature'],
    ['a key id swapped (same MAC)', `${version}.SGONE.${expires}.${resource}.${mac}`, 'unknown-key'],
    [
      'the MAC of another token',
      `${version}.${keyId}.${expires}.${b64(`https://${SAMPLE_HOST}/videos/*`)}.${mac}`,
      'bad-signature',
    ],
    ['a MAC of the wrong length', `${token}A`, 'malformed-signature'],
    ['a MAC in standard base64', `${token.slice(0, -1)}+`, 'malformed-signature'],
    ['an empty MAC', `${version}.${keyId}.${expires}.${resource}.`, 'malformed-signature'],
    [
      'a MAC made without a key',
      `${version}.${keyId}.${expires}.${resource}.${sessionHmac('', `${version}.${keyId}.${expires}.${resource}`)}`,
      'bad-signature',
    ],
    ['another version', `v2.${keyId}.${expires}.${resource}.${mac}`, 'malformed-policy'],
    ['a sixth part', `${token}.x`, 'malformed-policy'],
    [
      'a key id with a separator (a KeyValueStore key trick)',
      `${version}.STEST1:x.${expires}.${resource}.${mac}`,
      'malformed-policy',
    ],
    [
      'a key id naming another store entry',
      `${version}.${'S'.repeat(65)}.${expires}.${resource}.${mac}`,
      'malformed-policy',
    ],
    ['an expiry that is not a number', `${version}.${keyId}.1e10.${resource}.${mac}`, 'malformed-policy'],
    ['quotes around the token', `"${token}"`, 'malformed-policy'],
  ])('denies %s (%s)', async (_, value, expected) => {
    const answer = await reason(`${SESSION_COOKIE}=${value}`);
    expect(answer).toMatchObject({ status: '403', decision: 'deny', reason: expected });
  });

  it('denies a token MAC’d with a key of the same id from another deployment', async () => {
    const other = sessionCookie(FREE, now + 600, TEST_SESSION_KEY_ID, newSessionKey());
    expect(await reason(other)).toMatchObject({ reason: 'bad-signature' });
  });

  it('denies an expiry CloudFront itself would refuse (after 2038), even MAC’d by the key', async () => {
    const signed = `v1.${TEST_SESSION_KEY_ID}.9999999999.${b64(FREE)}`;
    expect(await reason(macd(signed))).toMatchObject({ status: '403', reason: 'malformed-policy' });
  });
});

describe('expired and other-scope tokens', () => {
  it.each<[string, string, string, string]>([
    ['expired a second ago', FREE, 'now-1', 'expired'],
    ['expiring this very second', FREE, 'now', 'expired'],
    ['for the folder without its slash', `https://${SAMPLE_HOST}/videos/free*`, 'later', 'ok'],
    ['for another host', `https://evil.example/videos/free/*`, 'later', 'resource-mismatch'],
    ['for the same host over http', `http://${SAMPLE_HOST}/videos/free/*`, 'later', 'resource-mismatch'],
    ['for a longer host', `https://${SAMPLE_HOST}.evil.example/videos/free/*`, 'later', 'resource-mismatch'],
    ['for a host with a port', `https://${SAMPLE_HOST}:443/videos/free/*`, 'later', 'resource-mismatch'],
    ['for one file, used on its neighbour', `https://${SAMPLE_HOST}/videos/free/b.ts`, 'later', 'resource-mismatch'],
  ])('token %s', async (_, scope, when, expected) => {
    const at = when === 'now-1' ? now - 1 : when === 'now' ? now : now + 600;
    const answer = await fn.handle({ uri: '/videos/free/a.ts', cookies: [sessionCookie(scope, at)] }, now);
    expect(fn.logs.at(-1)).toMatchObject({ reason: expected });
    expect(answer.status).toBe(expected === 'ok' ? undefined : '403');
  });

  it('never lets a folder token reach a sibling folder sharing its prefix', async () => {
    const folder = sessionCookie(`https://${SAMPLE_HOST}/videos/free/*`, now + 600);
    expect(await reason(folder, '/videos/freebies/a.ts')).toMatchObject({ reason: 'resource-mismatch' });
    expect(await reason(folder, '/videos/free')).toMatchObject({ reason: 'resource-mismatch' });
  });

  it('never admits a token for one file with a query, unless its resource ends in *', async () => {
    const file = sessionCookie(`https://${SAMPLE_HOST}/videos/free/a.ts`, now + 600);
    const result = await fn.handle({ uri: '/videos/free/a.ts', querystring: 'x=1', cookies: [file] });
    expect(result.status).toBe('403');
    // Signing params are not part of the resource (as for CloudFront): stripped, then matched.
    const signed = await fn.handle({ uri: '/videos/free/a.ts', querystring: 'Signature=x', cookies: [file] });
    expect(signed.status).toBeUndefined();
    expect(signed.querystring).toBe('');
  });
});

describe('respelled paths with a valid token', () => {
  it.each([
    '/videos/free/../paid.mp4',
    '/videos/free/%2e%2e/paid.mp4',
    '/videos/free/..%2fpaid.mp4',
    '/videos/free/%2E%2E%2Fpaid.mp4',
    '/videos/free/.%2E/paid.mp4',
    '/videos/free/..\\paid.mp4',
    '/videos/free/..;/paid.mp4',
    '/videos/free//../paid.mp4',
    '/videos/free/%252e%252e/paid.mp4',
    '/videos/free/%c0%ae%c0%ae/paid.mp4',
    '/videos/free/%ef%bc%8e%ef%bc%8e/paid.mp4',
    '/videos/free/%c2%a5paid.mp4',
    '/videos/free/\u2025/paid.mp4',
    '/videos/free/..%00/paid.mp4',
    '/videos/free/a.ts%3f/../../paid.mp4',
  ])('refuses %s with a 400 and forwards nothing', async (uri) => {
    const result = await fn.handle({ uri, cookies: [good] });
    expect(result.status).toBe('400');
    expect(fn.logs.at(-1)).toMatchObject({ decision: 'reject' });
  });
});

describe('oversized and repeated cookies and headers', () => {
  it('refuses a token over 4 KB before reading it, and stays fast on a 20 KB cookie header', async () => {
    const huge = forgedSessionCookie(`https://${SAMPLE_HOST}/videos/free/${'a'.repeat(3000)}*`, now + 600);
    expect(await reason(huge)).toMatchObject({ reason: 'malformed-policy' });
    const padding = Array.from({ length: 800 }, (_, i) => `c${i}=${'x'.repeat(20)}`).join('; ');
    const started = performance.now();
    const result = await fn.handle({ uri: '/videos/free/a.ts', cookies: [`${padding}; ${good}`] });
    expect(result.status).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('reads only the first of repeated session cookies and removes every one before the origin', async () => {
    const other = sessionCookie(`https://${SAMPLE_HOST}/reports/*`, now + 600);
    const result = await fn.handle({ uri: '/videos/free/a.ts', cookies: [`${good}; a=1`, `${other}; b=2`] });
    expect(result.status).toBeUndefined();
    expect(result.headers.cookie).toEqual([{ key: 'Cookie', value: 'a=1; b=2' }]);
    expect(JSON.stringify(result.raw)).not.toContain('v1.');
  });

  it('refuses a second Host header instead of reading the first', async () => {
    const event = functionEventFor({
      uri: '/videos/free/a.ts',
      cookies: [good],
      extraHeaders: { host: [{ key: 'Host', value: 'evil.example' }] },
    });
    expect(await fn.run(event)).toMatchObject({ statusCode: 400 });
    expect(fn.logs.at(-1)).toMatchObject({ detail: 'unknown-host' });
  });

  it('never forwards signing params hidden in a Referer that holds nothing else', async () => {
    for (const referer of ['?Policy=p&Signature=s&Key-Pair-Id=K', `https://${SAMPLE_HOST}/?Signature=s`]) {
      const result = await fn.handle({ uri: '/videos/trailer.mp4', referer });
      expect(result.status).toBeUndefined();
      expect(JSON.stringify(result.headers.referer ?? [])).not.toContain('Signature');
    }
  });

  it('answers an event without a header map with a 400, as the Lambda@Edge gate does', async () => {
    const event = functionEventFor({ uri: '/videos/trailer.mp4' }) as { request: { headers?: unknown } };
    delete event.request.headers;
    expect(await fn.run(event)).toMatchObject({ statusCode: 400 });
  });

  it('answers an event without the raw query helper with a 400 rather than guess the query from the map', async () => {
    const event = functionEventFor({ uri: '/videos/free/a.ts', querystring: 'Signature=x', cookies: [good] }) as {
      request: { rawQueryString?: unknown };
    };
    delete event.request.rawQueryString;
    expect(await fn.run(event)).toMatchObject({ statusCode: 400 });
    expect(fn.logs.at(-1)).toMatchObject({ decision: 'reject', detail: 'event' });
  });

  it('takes an odd store value (null, a space, one letter) as no key, so nobody can MAC with it (fourth review, Medium)', async () => {
    const attempt = async (value: string) => {
      const store = createKeyValueStore({ [sessionKeyName(TEST_SESSION_KEY_ID)]: value });
      const careless = loadBuiltFunction(undefined, { store });
      // A token for the whole site until 2038, MAC'd with what the store holds.
      const forged = sessionCookie(`https://${SAMPLE_HOST}/*`, 2_147_483_647, TEST_SESSION_KEY_ID, value);
      const result = await careless.handle({ uri: '/videos/free/a.ts', cookies: [forged] });
      return { status: result.status, ...(careless.logs.at(-1) as { decision: string; reason: string }) };
    };
    // The control: with a real key's text the same token is admitted, so the refusals below are the key check's.
    expect(await attempt(newSessionKey())).toMatchObject({ status: undefined, decision: 'allow' });
    // `null` is what `jq -r .key` writes for a file without "key".
    for (const value of ['null', ' ', 'a', '0']) {
      expect(await attempt(value), value).toMatchObject({ status: '403', decision: 'deny', reason: 'unknown-key' });
    }
  });

  it('fails closed when the KeyValueStore cannot be read', async () => {
    const broken = loadBuiltFunction(undefined, {
      store: {
        put() {},
        delete() {},
        read() {
          throw new Error('KeyValueStore throttled');
        },
        size: 0,
      },
    });
    const result = await broken.handle({ uri: '/videos/free/a.ts', cookies: [good] });
    expect(result.status).toBe('403');
    expect(broken.logs.at(-1)).toMatchObject({ reason: 'unknown-key' });
  });
});
