import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { createHandler } from '../../../functions/viewer-request/create-handler';
import { type EdgeConfig, signCookies, signUrl } from '../../../shared';
import { NOW, rsaKeyPair } from '../../fixtures/keys';
import { BROWSER_ACCEPT, DISTRIBUTION_HOST, viewerRequestEvent } from '../../fixtures/viewer-events';

const rsa = rsaKeyPair();
const stranger = rsaKeyPair();
const config: EdgeConfig = {
  domains: [DISTRIBUTION_HOST],
  scheme: 'https',
  publicPaths: ['/videos/trailer.mp4', '/assets/*'],
  loginUrl: '/login',
  keys: [{ id: 'K2JCJMDEHXQW5F', publicKey: rsa.publicPem }],
  verifyCacheSize: 64,
};
const handler = createHandler(config, () => NOW * 1000);
const sign = { keyPairId: 'K2JCJMDEHXQW5F', privateKey: rsa.privatePem, expires: NOW + 600, now: NOW };
const BASE = `https://${DISTRIBUTION_HOST}`;

type Result = {
  status?: string;
  headers: Record<string, { key?: string; value: string }[]>;
  body?: string;
  querystring?: string;
  uri?: string;
};
const run = async (event: unknown) => (await handler(event)) as Result;

function cookieHeader(cookies: object): string {
  return Object.entries(cookies)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
}

function queryOf(url: string): string {
  return url.slice(url.indexOf('?') + 1);
}

let log: MockInstance<typeof console.log>;
beforeEach(() => {
  log = vi.spyOn(console, 'log').mockImplementation(() => {});
});
afterEach(() => log.mockRestore());

function loggedLines(): Record<string, unknown>[] {
  return log.mock.calls.map((call) => JSON.parse(String(call[0])));
}

describe('viewer-request handler: allowed requests', () => {
  it('passes a valid signed URL to the origin with the signing params removed', async () => {
    const url = signUrl(`${BASE}/reports/q3.pdf?download=1&lang=en`, sign);
    const result = await run(viewerRequestEvent({ uri: '/reports/q3.pdf', querystring: queryOf(url) }));
    expect(result.status).toBeUndefined();
    expect(result.uri).toBe('/reports/q3.pdf');
    expect(result.querystring).toBe('download=1&lang=en');
  });

  it('passes valid cookies and strips only the CloudFront-* cookies', async () => {
    const cookies = cookieHeader(signCookies(`${BASE}/videos/*`, sign));
    const result = await run(
      viewerRequestEvent({
        uri: '/videos/42/seg-1.ts',
        querystring: 'x=1',
        cookies: [`theme=dark; ${cookies}; lang=en`],
      }),
    );
    expect(result.status).toBeUndefined();
    expect(result.querystring).toBe('x=1');
    expect(result.headers.cookie).toEqual([{ key: 'Cookie', value: 'theme=dark; lang=en' }]);
  });

  it('drops the Cookie header when only CloudFront-* cookies were sent', async () => {
    const cookies = cookieHeader(signCookies(`${BASE}/videos/*`, sign));
    const result = await run(viewerRequestEvent({ uri: '/videos/a.ts', cookies: [cookies] }));
    expect(result.headers.cookie).toBeUndefined();
    expect(result.headers.host).toEqual([{ key: 'Host', value: DISTRIBUTION_HOST }]);
  });

  it('forwards a public path without signing params or CloudFront-* cookies, editing the event’s request in place', async () => {
    const event = viewerRequestEvent({
      uri: '/videos/trailer.mp4',
      querystring: 'lang=en&Expires=1&Signature=abc&Key-Pair-Id=K2JCJMDEHXQW5F',
      cookies: ['a=b; CloudFront-Policy=eyJ; CloudFront-Signature=c2ln; CloudFront-Key-Pair-Id=K2JCJMDEHXQW5F'],
    });
    const before = structuredClone(event.Records[0]?.cf.request);
    const result = await run(event);
    expect(result.status).toBeUndefined();
    expect(result).toMatchObject({ uri: '/videos/trailer.mp4', querystring: 'lang=en' });
    expect(result.headers.cookie).toEqual([{ key: 'Cookie', value: 'a=b' }]);
    expect(result.headers.host).toEqual([{ key: 'Host', value: DISTRIBUTION_HOST }]);
    // The event's own request goes on (no copy of a possibly huge header map), changed only where the
    // credentials were: everything else is as it came.
    expect(result).toBe(event.Records[0]?.cf.request);
    expect({
      ...result,
      querystring: before?.querystring,
      headers: { ...result.headers, cookie: before?.headers.cookie },
    }).toEqual(before);
  });

  it('passes a public wildcard path and drops a Cookie header that held only credentials', async () => {
    const result = await run(
      viewerRequestEvent({ uri: '/assets/app.css', cookies: ['CloudFront-Key-Pair-Id=K2JCJMDEHXQW5F'] }),
    );
    expect(result).toMatchObject({ uri: '/assets/app.css', querystring: '' });
    expect(result.headers.cookie).toBeUndefined();
  });

  it('denies by default: a path in no list needs credentials like a protected one', async () => {
    for (const uri of ['/index.html', '/VIDEOS/paid.mp4', '/videos.mp4', '/']) {
      const result = await run(viewerRequestEvent({ uri }));
      expect(result.status, uri).toBe('403');
    }
  });

  it('refuses dot segments and encoded separators with a 400, never treating them as public', async () => {
    for (const uri of ['/videos/trailer.mp4/../42.mp4', '/videos/%2e%2e/42.mp4', '/assets/..%2fvideos/42.mp4']) {
      const result = await run(viewerRequestEvent({ uri }));
      expect(result.status, uri).toBe('400');
    }
  });
});

describe('viewer-request handler: denied requests', () => {
  it('redirects a browser navigation without credentials to the login page', async () => {
    const result = await run(
      viewerRequestEvent({ uri: '/videos/42', querystring: 't=10&lang=en', accept: BROWSER_ACCEPT }),
    );
    expect(result.status).toBe('302');
    expect(result.headers.location).toEqual([
      { key: 'Location', value: `/login?return_to=${encodeURIComponent('/videos/42?t=10&lang=en')}` },
    ]);
    expect(result.headers['cache-control']).toEqual([{ key: 'Cache-Control', value: 'no-store' }]);
  });

  it('drops signing params from return_to', async () => {
    const expired = signUrl(`${BASE}/videos/42?t=10`, { ...sign, expires: NOW - 1, now: NOW - 100 });
    const result = await run(
      viewerRequestEvent({ uri: '/videos/42', querystring: queryOf(expired), accept: BROWSER_ACCEPT }),
    );
    expect(result.headers.location?.[0]?.value).toBe(`/login?return_to=${encodeURIComponent('/videos/42?t=10')}`);
  });

  it('answers API calls, media segments and non-GET requests with CloudFront XML 403', async () => {
    for (const event of [
      viewerRequestEvent({ uri: '/videos/42/seg-1.ts', accept: '*/*' }),
      viewerRequestEvent({ uri: '/reports/q3.pdf', accept: 'application/json' }),
      viewerRequestEvent({ uri: '/videos/42', method: 'POST', accept: BROWSER_ACCEPT }),
    ]) {
      const result = await run(event);
      expect(result.status).toBe('403');
      expect(result.headers['content-type']).toEqual([{ key: 'Content-Type', value: 'text/xml' }]);
      expect(result.headers['cache-control']).toEqual([{ key: 'Cache-Control', value: 'no-store' }]);
      expect(result.body).toBe(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>MissingKey</Code><Message>Missing Key-Pair-Id query parameter or cookie value</Message></Error>',
      );
    }
  });

  it.each<[string, () => { querystring?: string; cookies?: string[] }, string, string]>([
    [
      'expired cookies',
      () => ({ cookies: [cookieHeader(signCookies(`${BASE}/videos/*`, { ...sign, expires: NOW, now: NOW - 10 }))] }),
      'AccessDenied',
      'expired',
    ],
    [
      'an unknown key',
      () => ({ querystring: queryOf(signUrl(`${BASE}/videos/a.ts`, { ...sign, keyPairId: 'KNOTINGROUP' })) }),
      'InvalidKey',
      'unknown-key',
    ],
    [
      'a tampered URL',
      () => ({ querystring: queryOf(signUrl(`${BASE}/videos/b.ts`, sign)) }),
      'AccessDenied',
      'bad-signature',
    ],
    [
      'a foreign signature',
      () => ({ querystring: queryOf(signUrl(`${BASE}/videos/a.ts`, { ...sign, privateKey: stranger.privatePem })) }),
      'AccessDenied',
      'bad-signature',
    ],
    [
      'cookies for another prefix',
      () => ({ cookies: [cookieHeader(signCookies(`${BASE}/reports/*`, sign))] }),
      'AccessDenied',
      'resource-mismatch',
    ],
  ])('denies %s with the matching code and logs the reason', async (_name, make, code, reason) => {
    const result = await run(viewerRequestEvent({ uri: '/videos/a.ts', ...make() }));
    expect(result.status).toBe('403');
    expect(result.body).toContain(`<Code>${code}</Code>`);
    expect(loggedLines().at(-1)).toMatchObject({ decision: 'deny', reason, uri: '/videos/a.ts' });
  });

  it('does not redirect again when the browser comes straight back from the login page', async () => {
    const result = await run(
      viewerRequestEvent({
        uri: '/videos/42',
        accept: BROWSER_ACCEPT,
        referer: `${BASE}/login?return_to=%2Fvideos%2F42`,
      }),
    );
    expect(result.status).toBe('403');
    expect(loggedLines().at(-1)).toMatchObject({ decision: 'deny', loop: true });
    const fromElsewhere = await run(
      viewerRequestEvent({ uri: '/videos/42', accept: BROWSER_ACCEPT, referer: `${BASE}/loginpage` }),
    );
    expect(fromElsewhere.status).toBe('302');
  });

  it('never redirects a hostile path: it is refused before any return_to is built', async () => {
    for (const uri of ['//evil.com/x', '/\\evil.com', '/%2F%2Fevil.com', '/%5Cevil.com', '/%2F/evil.com']) {
      const result = (await run(viewerRequestEvent({ uri, accept: BROWSER_ACCEPT }))) as Result;
      expect(result.status, uri).toBe('400');
      expect(result.headers.location).toBeUndefined();
    }
  });
});

describe('viewer-request handler: logging', () => {
  it('logs one JSON line per decision without signature or policy values', async () => {
    const cookies = signCookies(`${BASE}/videos/*`, sign);
    await run(viewerRequestEvent({ uri: '/videos/a.ts', cookies: [cookieHeader(cookies)] }));
    expect(log).toHaveBeenCalledTimes(1);
    const line = String(log.mock.calls[0]?.[0]);
    expect(JSON.parse(line)).toEqual({
      level: 'info',
      msg: 'edgepass decision',
      requestId: 'test-request-id',
      uri: '/videos/a.ts',
      decision: 'allow',
      reason: 'ok',
      keyPairId: 'K2JCJMDEHXQW5F',
    });
    expect(line).not.toContain(cookies['CloudFront-Signature'].slice(0, 20));
    expect(line).not.toContain((cookies['CloudFront-Policy'] as string).slice(0, 20));
  });
});

describe('viewer-request handler: malformed events', () => {
  it.each<[string, unknown]>([
    ['no event', undefined],
    ['an empty object', {}],
    ['no Records', { Records: [] }],
    ['a request without uri', { Records: [{ cf: { request: { method: 'GET', headers: {} } } }] }],
    ['a numeric uri', { Records: [{ cf: { request: { uri: 42, method: 'GET' } } }] }],
  ])('answers 400 for %s', async (_name, event) => {
    const result = await run(event);
    expect(result.status).toBe('400');
    expect(result.headers['cache-control']).toEqual([{ key: 'Cache-Control', value: 'no-store' }]);
  });

  it('answers 400 for invalid percent-encoding, control characters and over-long URIs', async () => {
    for (const uri of ['/videos/%zz', '/videos/a%2', '/videos/a\nb', `/videos/${'a'.repeat(8200)}`, 'videos/a']) {
      expect((await run(viewerRequestEvent({ uri }))).status).toBe('400');
    }
  });

  it('refuses an event without headers, joins duplicate Cookie headers, survives a huge one', async () => {
    const event = viewerRequestEvent({ uri: '/videos/a.ts' });
    (event.Records[0]?.cf.request as { headers?: unknown }).headers = undefined;
    expect((await run(event)).status).toBe('400');

    const cookies = cookieHeader(signCookies(`${BASE}/videos/*`, sign));
    const duplicated = await run(viewerRequestEvent({ uri: '/videos/a.ts', cookies: ['a=1', cookies, 'b=2'] }));
    expect(duplicated.status).toBeUndefined();
    // Joined as HTTP/2 and the origin would join them, with the credentials taken out.
    expect(duplicated.headers.cookie).toEqual([{ key: 'Cookie', value: 'a=1; b=2' }]);

    const huge = await run(
      viewerRequestEvent({ uri: '/videos/a.ts', cookies: [`x=${'y'.repeat(40_000)}; ${cookies}`] }),
    );
    expect(huge.status).toBe('403');
  });

  it('reads two Host headers as no configured host, and forwards two Referer headers as one, stripped', async () => {
    const twoHosts = viewerRequestEvent({ uri: '/assets/a.css' });
    const headers = twoHosts.Records[0]?.cf.request.headers as Record<string, { key: string; value: string }[]>;
    headers.host?.push({ key: 'Host', value: 'evil.example' });
    expect((await run(twoHosts)).status).toBe('400');
    expect(loggedLines().at(-1)).toMatchObject({ detail: 'unknown-host' });

    const twoReferers = viewerRequestEvent({ uri: '/assets/a.css' });
    (twoReferers.Records[0]?.cf.request.headers as Record<string, unknown>).referer = [
      { key: 'Referer', value: `${BASE}/a` },
      { key: 'Referer', value: `${BASE}/b?x=1&Signature=s` },
    ];
    const passed = await run(twoReferers);
    expect(passed.status).toBeUndefined();
    expect(passed.headers.referer).toEqual([{ key: 'Referer', value: `${BASE}/a; ${BASE}/b?x=1` }]);
  });

  it('survives header entries that are not {key, value} objects', async () => {
    const event = viewerRequestEvent({ uri: '/videos/a.ts' });
    (event.Records[0]?.cf.request.headers as Record<string, unknown>).cookie = [null, 5, { value: 7 }];
    (event.Records[0]?.cf.request.headers as Record<string, unknown>).accept = 'text/html';
    expect((await run(event)).status).toBe('403');
  });
});
