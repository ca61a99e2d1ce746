import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignHandler } from '../../functions/sign/create-handler';
import { createKeyGroup, decodeCloudFrontBase64, verifySignedRequest } from '../../shared';
import type { HttpResult } from '../../shared/regional/http-api';
import { NOW } from '../fixtures/keys';
import {
  APP_ORIGIN,
  CONTENT_HOST,
  httpApiEvent,
  KEY_PAIR_ID,
  type RegionalFixture,
  startRegionalFixture,
} from '../fixtures/regional';

let fx: RegionalFixture;
let deps: ReturnType<RegionalFixture['dependencies']>;
let sign: ReturnType<typeof createSignHandler>;
let premium: string;
let member: string;

beforeAll(async () => {
  fx = await startRegionalFixture();
  deps = fx.dependencies({ limits: { maxPathsPerRequest: 5, maxExpiresInSeconds: 7200 } });
  sign = createSignHandler(deps);
  premium = await fx.idp.mint({ sub: 'ada', groups: ['premium'] });
  member = await fx.idp.mint({ sub: 'bob' });
});
afterAll(() => fx.close());

const request = (body: unknown, token: string | null = premium, headers: Record<string, string> = {}) =>
  httpApiEvent({
    path: '/api/sign',
    headers: {
      'content-type': 'application/json',
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const json = (result: HttpResult) => JSON.parse(result.body);
type Urls = { urls: { path: string; url: string; expiresAt: number }[] };

describe('POST /api/sign', () => {
  it('signs every requested path with a canned policy by default, capped by the grant TTL', async () => {
    const result = await sign(request({ paths: ['/videos/42/master.m3u8', '/reports/q3.pdf'], expiresIn: 3000 }));
    expect(result.statusCode).toBe(200);
    expect(result.headers['cache-control']).toBe('no-store');
    const { urls } = json(result) as Urls;
    expect(urls.map(({ path, expiresAt }) => ({ path, expiresAt }))).toEqual([
      { path: '/videos/42/master.m3u8', expiresAt: NOW + 3000 },
      { path: '/reports/q3.pdf', expiresAt: NOW + 600 },
    ]);
    const keyGroup = createKeyGroup([{ id: KEY_PAIR_ID, publicKey: fx.signing.publicPem }]);
    for (const { url, path, expiresAt } of urls) {
      expect(url).toMatch(
        new RegExp(
          `^https://${CONTENT_HOST}${path.replace(/\./g, '\\.')}\\?Expires=${expiresAt}&Signature=[^&]+&Key-Pair-Id=${KEY_PAIR_ID}$`,
        ),
      );
      expect(verifySignedRequest({ url }, { now: NOW + 1, keyGroup }).reason).toBe('ok');
      expect(verifySignedRequest({ url }, { now: expiresAt, keyGroup }).reason).toBe('expired');
    }
    expect(deps.telemetry.counts).toContainEqual({ metric: 'UrlsSigned', value: 2 });
  });

  it('uses a custom policy when an IP range or a start time is asked for', async () => {
    const result = await sign(
      request({ paths: ['/videos/42/seg-1.ts'], ipAddress: '203.0.113.0/24', notBefore: NOW - 30 }),
    );
    const [signed] = (json(result) as Urls).urls;
    const policy = decodeCloudFrontBase64(new URL(signed?.url ?? '').searchParams.get('Policy') ?? '')?.toString();
    expect(JSON.parse(policy ?? '{}').Statement[0].Condition).toEqual({
      DateLessThan: { 'AWS:EpochTime': NOW + 3600 },
      DateGreaterThan: { 'AWS:EpochTime': NOW - 30 },
      IpAddress: { 'AWS:SourceIp': '203.0.113.0/24' },
    });
    const keyGroup = createKeyGroup([{ id: KEY_PAIR_ID, publicKey: fx.signing.publicPem }]);
    const url = signed?.url ?? '';
    expect(verifySignedRequest({ url, clientIp: '203.0.113.9' }, { now: NOW, keyGroup }).reason).toBe('ok');
    expect(verifySignedRequest({ url, clientIp: '198.51.100.1' }, { now: NOW, keyGroup }).reason).toBe('ip-mismatch');
  });

  it('caps a custom policy’s path (its URL becomes the Resource) at 1,024 characters, canned ones at 2,048', async () => {
    const longest = `/videos/${'a'.repeat(1016)}`;
    const tooLong = `${longest}b`;
    const ok = await sign(request({ paths: [longest], ipAddress: '203.0.113.0/24' }));
    expect(ok.statusCode).toBe(200);
    const refused = await sign(request({ paths: [tooLong], ipAddress: '203.0.113.0/24' }));
    expect(refused.statusCode).toBe(400);
    expect(json(refused).error).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/at most 1024/) });
    expect((await sign(request({ paths: [tooLong], notBefore: NOW - 30 }))).statusCode).toBe(400);
    expect((await sign(request({ paths: [tooLong] }))).statusCode).toBe(200);
  });

  it('signs for the configured domain the request came in on, and for the first one otherwise', async () => {
    const twoDomains = createSignHandler(fx.dependencies({ domains: [CONTENT_HOST, 'cdn.example.net'] }));
    const urlFor = async (headers: Record<string, string>) =>
      (json(await twoDomains(request({ paths: ['/videos/a.ts'] }, premium, headers))) as Urls).urls[0]?.url ?? '';
    expect(await urlFor({ 'x-forwarded-host': 'CDN.example.net' })).toMatch(
      /^https:\/\/cdn\.example\.net\/videos\/a\.ts\?/,
    );
    expect(await urlFor({ host: 'cdn.example.net' })).toMatch(/^https:\/\/cdn\.example\.net\//);
    expect(await urlFor({ 'x-forwarded-host': 'evil.example.com' })).toMatch(new RegExp(`^https://${CONTENT_HOST}/`));
    expect(await urlFor({})).toMatch(new RegExp(`^https://${CONTENT_HOST}/`));
  });

  it('percent-encodes spaces and non-ASCII exactly as a client will send them', async () => {
    const { urls } = json(await sign(request({ paths: ['/videos/my clip é.mp4'] }))) as Urls;
    expect(urls[0]?.path).toBe('/videos/my%20clip%20%C3%A9.mp4');
    expect(urls[0]?.url.startsWith(`https://${CONTENT_HOST}/videos/my%20clip%20%C3%A9.mp4?Expires=`)).toBe(true);
  });

  it('refuses, naming it, a path outside the caller’s grants', async () => {
    const result = await sign(request({ paths: ['/videos/free/a.mp4', '/reports/q3.pdf'] }, member));
    expect(result.statusCode).toBe(403);
    expect(json(result)).toEqual({
      error: { code: 'FORBIDDEN_RESOURCE', message: 'path /reports/q3.pdf is outside your grants' },
    });
  });

  it.each([
    ['a slash', 'victim/x', '/users/victim/x/notes.txt'],
    ['an encoded slash', 'victim%2Fx', '/users/victim/x/notes.txt'],
    ['a fullwidth solidus', 'victim\uFF0Fx', '/users/victim/x/notes.txt'],
    ['a semicolon', 'victim;x', '/users/victim;x/notes.txt'],
  ])('answers 403 CLAIM_UNUSABLE, signing nothing, when a template claim holds %s', async (_, sub, path) => {
    const token = await fx.idp.mint({ sub, files: true });
    const before = deps.telemetry.logs.length;
    const result = await sign(request({ paths: [path] }, token));
    expect(result.statusCode).toBe(403);
    expect(json(result)).toEqual({
      error: { code: 'CLAIM_UNUSABLE', message: expect.stringMatching(/^claim sub cannot be used in a path/) },
    });
    expect(result.body).not.toContain('victim');
    expect(deps.telemetry.logs.slice(before)).toEqual([
      {
        level: 'warn',
        message: 'request refused',
        fields: { code: 'CLAIM_UNUSABLE', error: expect.stringMatching(/^claim sub cannot be used in a path/) },
      },
    ]);
  });

  it('signs a path inside a template grant filled with an encoded claim', async () => {
    const token = await fx.idp.mint({ sub: 'ada@x.com', files: true });
    const { urls } = json(await sign(request({ paths: ['/users/ada%40x.com/notes.txt'] }, token))) as Urls;
    expect(urls.map(({ path, expiresAt }) => ({ path, expiresAt }))).toEqual([
      { path: '/users/ada%40x.com/notes.txt', expiresAt: NOW + 900 },
    ]);
  });

  it.each([
    ['a dot-dot segment', '/videos/../reports/q3.pdf'],
    ['a dot segment', '/videos/./a.mp4'],
    ['encoded dots', '/videos/%2e%2e/reports/q3.pdf'],
    ['an encoded slash', '/videos/a%2Fb.mp4'],
    ['a backslash', '/videos\\..\\reports'],
    ['an encoded backslash', '/videos/%5c..'],
    ['a NUL', '/videos/a\u0000.mp4'],
    ['a trailing dot (Windows strips it)', '/videos./paid.mp4'],
    ['an encoded letter', '/%76ideos/a.mp4'],
    ['a path parameter', '/videos/free/..;/paid.mp4'],
    ['a fullwidth dot pair', '/videos/\uff0e\uff0e/paid.mp4'],
    ['double encoding', '/videos/%252e%252e/paid.mp4'],
    ['an encoded NUL', '/videos/a%00.mp4'],
    ['a wildcard', '/videos/*'],
    ['a one-character wildcard', '/videos/a?.mp4'],
    ['a query', '/videos/a.mp4?x=1'],
    ['a fragment', '/videos/a.mp4#t=1'],
    ['a protocol-relative path', '//evil.com/videos/a.mp4'],
    ['a relative path', 'videos/a.mp4'],
    ['an empty path', ''],
    ['a broken escape', '/videos/%zz.mp4'],
    ['an over-long path', `/videos/${'a'.repeat(3000)}`],
  ])('answers 400 for %s', async (_name, path) => {
    const result = await sign(request({ paths: [path] }));
    expect(result.statusCode).toBe(400);
    expect(json(result).error.code).toBe('BAD_REQUEST');
  });

  it.each<[string, unknown, number, string]>([
    [
      'more paths than the limit',
      { paths: ['/videos/1', '/videos/2', '/videos/3', '/videos/4', '/videos/5', '/videos/6'] },
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    ['no paths', { paths: [] }, 400, 'BAD_REQUEST'],
    ['paths that are not a list', { paths: '/videos/a.mp4' }, 400, 'BAD_REQUEST'],
    ['a non-string path', { paths: [42] }, 400, 'BAD_REQUEST'],
    ['an expiresIn over the limit', { paths: ['/videos/a'], expiresIn: 7201 }, 400, 'BAD_REQUEST'],
    ['a fractional expiresIn', { paths: ['/videos/a'], expiresIn: 1.5 }, 400, 'BAD_REQUEST'],
    ['a negative expiresIn', { paths: ['/videos/a'], expiresIn: -1 }, 400, 'BAD_REQUEST'],
    ['an unknown field', { paths: ['/videos/a'], expires_in: 60 }, 400, 'BAD_REQUEST'],
    ['an IPv6 range', { paths: ['/videos/a'], ipAddress: '2001:db8::/32' }, 400, 'INVALID_IP'],
    ['a malformed CIDR', { paths: ['/videos/a'], ipAddress: '10.0.0.0/33' }, 400, 'INVALID_IP'],
    ['a start after the expiry', { paths: ['/videos/a'], expiresIn: 60, notBefore: '+1h' }, 400, 'INVALID_TIME'],
    ['an unreadable start', { paths: ['/videos/a'], notBefore: 'soon' }, 400, 'INVALID_TIME'],
    ['invalid JSON', '{"paths":', 400, 'BAD_REQUEST'],
  ])('answers %s with %i %s', async (_name, body, status, code) => {
    const result = await sign(request(body));
    expect(result.statusCode).toBe(status);
    expect(json(result).error.code).toBe(code);
    expect(result.body).not.toMatch(/\n\s+at /);
  });

  it('answers 401 before looking at the body when the token is missing or bad', async () => {
    const missing = await sign(request('{"not":"checked"', null));
    expect([missing.statusCode, json(missing).error.code]).toEqual([401, 'TOKEN_MISSING']);
    const bad = await sign(request('{"not":"checked"', 'a.b.c'));
    expect([bad.statusCode, json(bad).error.code]).toEqual([401, 'TOKEN_INVALID']);
    const bodyToken = await sign(request({ token: premium, paths: ['/videos/a'] }, null));
    expect(bodyToken.statusCode).toBe(401);
  });

  it.each([
    ['that expired 20 s ago (inside the clock tolerance)', -20],
    ['that expires this second', 0],
  ])('answers 401 TOKEN_EXPIRED, signing nothing, for a token %s', async (_, expiresIn) => {
    const token = await fx.idp.mint({ sub: 'ada', groups: ['premium'] }, { expiresIn });
    const signedBefore = deps.telemetry.counts.filter((c) => c.metric === 'UrlsSigned').length;
    const result = await sign(request({ paths: ['/videos/42/master.m3u8'] }, token));
    expect(result.statusCode).toBe(401);
    expect(json(result)).toEqual({ error: { code: 'TOKEN_EXPIRED', message: expect.any(String) } });
    expect(deps.telemetry.counts.filter((c) => c.metric === 'UrlsSigned')).toHaveLength(signedBefore);
  });

  it('never lets a URL outlive the token: expiresAt, Expires and the policy all stop at its exp', async () => {
    const exp = NOW + 100;
    const token = await fx.idp.mint({ sub: 'ada', groups: ['premium'] }, { expiresIn: 100 });
    const keyGroup = createKeyGroup([{ id: KEY_PAIR_ID, publicKey: fx.signing.publicPem }]);
    const canned = json(
      await sign(request({ paths: ['/videos/42/master.m3u8', '/reports/q3.pdf'], expiresIn: 3000 }, token)),
    ) as Urls;
    expect(canned.urls.map(({ path, expiresAt }) => ({ path, expiresAt }))).toEqual([
      { path: '/videos/42/master.m3u8', expiresAt: exp },
      { path: '/reports/q3.pdf', expiresAt: exp },
    ]);
    for (const { url } of canned.urls) {
      expect(new URL(url).searchParams.get('Expires')).toBe(String(exp));
      expect(verifySignedRequest({ url }, { now: exp - 1, keyGroup }).reason).toBe('ok');
      expect(verifySignedRequest({ url }, { now: exp, keyGroup }).reason).toBe('expired');
    }
    const custom = json(
      await sign(request({ paths: ['/videos/42/seg-1.ts'], ipAddress: '203.0.113.0/24' }, token)),
    ) as Urls;
    expect(custom.urls).toHaveLength(1);
    const [signed] = custom.urls;
    expect(signed?.expiresAt).toBe(exp);
    const policy = decodeCloudFrontBase64(new URL(signed?.url ?? '').searchParams.get('Policy') ?? '')?.toString();
    expect(JSON.parse(policy ?? '{}').Statement[0].Condition.DateLessThan).toEqual({ 'AWS:EpochTime': exp });
  });

  it('answers CORS for the allowlisted origin only', async () => {
    const ok = await sign(request({ paths: ['/videos/a'] }, premium, { origin: APP_ORIGIN }));
    expect(ok.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    const other = await sign(request({ paths: ['/videos/a'] }, premium, { origin: 'https://evil.com' }));
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});
