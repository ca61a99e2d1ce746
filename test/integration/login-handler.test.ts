import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoginHandler } from '../../functions/login/create-handler';
import { createKeyGroup, verifySignedRequest } from '../../shared';
import type { HttpResult } from '../../shared/regional/http-api';
import { NOW } from '../fixtures/keys';
import {
  APP_ORIGIN,
  CONTENT_HOST,
  httpApiEvent,
  KEY_PAIR_ID,
  type RegionalFixture,
  SECRET_ID,
  startRegionalFixture,
} from '../fixtures/regional';

let fx: RegionalFixture;
let deps: ReturnType<RegionalFixture['dependencies']>;
let login: ReturnType<typeof createLoginHandler>;
let premium: string;

beforeAll(async () => {
  fx = await startRegionalFixture();
  deps = fx.dependencies();
  login = createLoginHandler(deps);
  premium = await fx.idp.mint({ sub: 'ada', groups: ['premium'] }, { expiresIn: 7200 });
});
afterAll(() => fx.close());

const bearer = (token: string, extra: Record<string, string> = {}) =>
  httpApiEvent({ path: '/auth/login', headers: { authorization: `Bearer ${token}`, ...extra } });

/** A form post as the site's own login page sends it (same-origin, so with its Origin). */
const SITE = `https://${CONTENT_HOST}`;

function json(result: HttpResult): Record<string, unknown> {
  return JSON.parse(result.body);
}

/** The Cookie header a browser would send for `path`, from Set-Cookie values (Path-matched). */
function browserCookies(setCookies: readonly string[], path: string): string {
  return setCookies
    .map((line) => {
      const [pair, ...attrs] = line.split('; ');
      const cookiePath = attrs.find((a) => a.startsWith('Path='))?.slice(5) ?? '/';
      return { pair: pair as string, cookiePath };
    })
    .filter(({ cookiePath }) => path.startsWith(cookiePath))
    .sort((a, b) => b.cookiePath.length - a.cookiePath.length)
    .map(({ pair }) => pair)
    .join('; ');
}

/** The cookies an answer sets (not the deletions of cookies it does not set again). */
function issued(result: HttpResult): string[] {
  return (result.cookies ?? []).filter((line) => !line.includes('; Max-Age=0; '));
}

/** The cookies an answer deletes, as `name Path` pairs. */
function deleted(result: HttpResult): string[] {
  return (result.cookies ?? [])
    .filter((line) => line.includes('; Max-Age=0; '))
    .map((line) => `${line.slice(0, line.indexOf('='))} ${/; Path=([^;]*)/.exec(line)?.[1]}`);
}

/** Every signing cookie at every Path this test configuration's login can set: what a refusal deletes. */
const EVERY_COOKIE = ['/', '/videos/', '/reports/'].flatMap((path) =>
  [
    'CloudFront-Expires',
    'CloudFront-Policy',
    'CloudFront-Signature',
    'CloudFront-Key-Pair-Id',
    'CloudFront-Hash-Algorithm',
  ].map((name) => `${name} ${path}`),
);

function expectNoStack(result: HttpResult): void {
  expect(result.body).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
}

describe('POST /auth/login', () => {
  it('answers 200 with expiresAt and grants, and one cookie set per grant scoped by Path', async () => {
    const result = await login(bearer(premium));
    expect(result.statusCode).toBe(200);
    expect(result.headers['cache-control']).toBe('no-store');
    expect(json(result)).toEqual({
      expiresAt: NOW + 600,
      grants: [
        { path: '/videos/*', expiresAt: NOW + 3600 },
        { path: '/reports/*', expiresAt: NOW + 600 },
      ],
    });
    const cookies = issued(result);
    expect(cookies).toHaveLength(6);
    for (const line of cookies) {
      expect(line).toMatch(
        /^CloudFront-(Policy|Signature|Key-Pair-Id)=[^;]+; Path=\/(videos|reports)\/; Max-Age=\d+; Expires=[^;]+ GMT; Secure; HttpOnly; SameSite=Lax$/,
      );
    }
    expect(cookies.filter((c) => c.includes('Path=/videos/'))[0]).toContain('Max-Age=3600');
    expect(cookies.filter((c) => c.includes('Path=/reports/'))[0]).toContain('Max-Age=600');
  });

  it('issues cookies the shared verifier accepts for the granted resources and denies elsewhere', async () => {
    const cookies = issued(await login(bearer(premium)));
    const keyGroup = createKeyGroup([{ id: KEY_PAIR_ID, publicKey: fx.signing.publicPem }]);
    const decide = (path: string) =>
      verifySignedRequest(
        { url: `https://${CONTENT_HOST}${path}`, cookie: browserCookies(cookies, path) },
        { now: NOW + 1, keyGroup },
      );
    expect(decide('/videos/42/seg-1.ts')).toMatchObject({ allowed: true, keyPairId: KEY_PAIR_ID });
    expect(decide('/reports/q3.pdf?download=1').allowed).toBe(true);
    expect(decide('/admin/secrets').reason).toBe('missing-key-pair-id');
    const everywhere = cookies.map((c) => c.split(';')[0]).join('; ');
    expect(
      verifySignedRequest(
        { url: `https://${CONTENT_HOST}/admin/secrets`, cookie: everywhere },
        { now: NOW + 1, keyGroup },
      ).reason,
    ).toBe('resource-mismatch');
    const later = verifySignedRequest(
      { url: `https://${CONTENT_HOST}/reports/q3.pdf`, cookie: browserCookies(cookies, '/reports/q3.pdf') },
      { now: NOW + 600, keyGroup },
    );
    expect(later.reason).toBe('expired');
  });

  it('leaves no earlier user’s cookies working in a browser where another user logs in', async () => {
    // A browser's jar: a cookie is its name and Path; Max-Age=0 deletes it.
    const jar = new Map<string, string>();
    const apply = (result: HttpResult) => {
      for (const line of result.cookies ?? []) {
        const key = `${line.slice(0, line.indexOf('='))} ${/; Path=([^;]*)/.exec(line)?.[1]}`;
        if (line.includes('; Max-Age=0; ')) jar.delete(key);
        else jar.set(key, line);
      }
    };
    const keyGroup = createKeyGroup([{ id: KEY_PAIR_ID, publicKey: fx.signing.publicPem }]);
    const canRead = (path: string) =>
      verifySignedRequest(
        { url: `https://${CONTENT_HOST}${path}`, cookie: browserCookies([...jar.values()], path) },
        { now: NOW + 1, keyGroup },
      ).allowed;
    apply(await login(bearer(premium)));
    expect(canRead('/videos/42/seg-1.ts')).toBe(true);
    // Another user (a {sub} grant, cookies on Path=/) logs in on the same browser.
    apply(await login(bearer(await fx.idp.mint({ sub: 'bob', files: true }))));
    expect([...jar.keys()].sort()).toEqual(
      ['CloudFront-Key-Pair-Id /', 'CloudFront-Policy /', 'CloudFront-Signature /'].sort(),
    );
    expect(canRead('/videos/42/seg-1.ts')).toBe(false);
    expect(canRead('/users/bob/a.pdf')).toBe(true);
    // A third person's token that grants nothing: refused, and bob's access goes too.
    const nobody = await login(bearer(await fx.idp.mint({ groups: [] }, {})));
    expect(nobody.statusCode).toBe(403);
    apply(nobody);
    expect(jar.size).toBe(0);
    // A cross-site form is refused before anything: it cannot log the browser out.
    apply(await login(bearer(premium)));
    const crossSite = await login(
      httpApiEvent({
        path: '/auth/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
        body: 'token=x',
      }),
    );
    expect(crossSite.statusCode).toBe(403);
    expect(crossSite.cookies).toBeUndefined();
  });

  it('never lets cookies outlive the token', async () => {
    const shortLived = await fx.idp.mint({ sub: 'ada', groups: ['premium'] }, { expiresIn: 120 });
    const body = json(await login(bearer(shortLived)));
    expect(body.expiresAt).toBe(NOW + 120);
  });

  it.each([
    ['that expired 20 s ago (inside the clock tolerance)', -20],
    ['that expires this second', 0],
  ])(
    'answers 401 TOKEN_EXPIRED, setting no cookie and deleting every login cookie, for a token %s',
    async (_, expiresIn) => {
      const token = await fx.idp.mint({ sub: 'ada', groups: ['premium'] }, { expiresIn });
      const result = await login(bearer(token));
      expect(result.statusCode).toBe(401);
      expect(json(result)).toEqual({ error: { code: 'TOKEN_EXPIRED', message: expect.any(String) } });
      expect(issued(result)).toEqual([]);
      // A refused identity leaves no earlier login working in this browser.
      expect(deleted(result).sort()).toEqual([...EVERY_COOKIE].sort());
    },
  );

  it('takes the token from a JSON or form body too', async () => {
    const fromJson = await login(
      httpApiEvent({
        path: '/auth/login',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: premium }),
      }),
    );
    expect(fromJson.statusCode).toBe(200);
    const fromForm = await login(
      httpApiEvent({
        path: '/auth/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: SITE },
        body: `token=${premium}`,
      }),
    );
    expect(fromForm.statusCode).toBe(200);
  });

  it('fills {claim} templates with the escaped claim value and scopes cookies by the static prefix', async () => {
    const token = await fx.idp.mint({ sub: 'ada@x.com', files: true });
    const result = await login(bearer(token));
    expect(json(result).grants).toEqual([{ path: '/users/ada%40x.com/*', expiresAt: NOW + 900 }]);
    expect(issued(result)[0]).toContain('; Path=/; ');
  });

  it.each([
    ['a slash', 'victim/x'],
    ['an encoded slash', 'victim%2Fx'],
    ['a dot-dot segment', '../admin'],
    ['a wildcard', 'victim*'],
    ['a fullwidth solidus', 'victim\uFF0Fx'],
    ['a trailing dot', 'victim.'],
  ])(
    'answers 403 CLAIM_UNUSABLE, setting no cookie and deleting every login cookie, when a template claim holds %s',
    async (_, sub) => {
      const token = await fx.idp.mint({ sub, files: true });
      const before = deps.telemetry.logs.length;
      const result = await login(bearer(token));
      expect(result.statusCode).toBe(403);
      expect(json(result)).toEqual({
        error: { code: 'CLAIM_UNUSABLE', message: expect.stringMatching(/^claim sub cannot be used in a path/) },
      });
      expect(result.body).not.toContain('victim');
      expect(issued(result)).toEqual([]);
      // A refused identity leaves no earlier login working in this browser.
      expect(deleted(result).sort()).toEqual([...EVERY_COOKIE].sort());
      expect(deps.telemetry.logs.slice(before)).toEqual([
        {
          level: 'warn',
          message: 'request refused',
          fields: { code: 'CLAIM_UNUSABLE', error: expect.stringMatching(/^claim sub cannot be used in a path/) },
        },
      ]);
    },
  );

  it('answers 403 when no access rule matches', async () => {
    const nobody = await fx.idp.mint({ groups: [] }, {});
    const result = await login(bearer(nobody));
    expect(result.statusCode).toBe(403);
    expect(json(result)).toEqual({ error: { code: 'FORBIDDEN_RESOURCE', message: expect.any(String) } });
    expect(deleted(result).sort()).toEqual([...EVERY_COOKIE].sort());
  });
});

describe('POST /auth/login from a form with return_to', () => {
  const form = (token: string, returnTo: string) =>
    httpApiEvent({
      path: '/auth/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: SITE },
      body: new URLSearchParams({ token, return_to: returnTo }).toString(),
    });

  it.each([
    ['/videos/42?t=10', '/videos/42?t=10'],
    ['https://app.example.com/library', 'https://app.example.com/library'],
    ['//evil.com/x', '/'],
    ['https://evil.com/', '/'],
    ['/\\evil.com', '/'],
    ['/%2F%2Fevil.com', '/'],
    ['javascript:alert(1)', '/'],
  ])('redirects %s with a 303 to %s, cookies set', async (returnTo, location) => {
    const result = await login(form(premium, returnTo));
    expect(result.statusCode).toBe(303);
    expect(result.headers.location).toBe(location);
    expect(result.headers['cache-control']).toBe('no-store');
    expect(issued(result)).toHaveLength(6);
  });
});

describe('form detection by media type', () => {
  const formType = 'Application/X-WWW-Form-Urlencoded; charset=UTF-8';

  it('honours return_to when the form Content-Type has another casing and parameters', async () => {
    const result = await login(
      httpApiEvent({
        path: '/auth/login',
        headers: { 'content-type': formType, origin: SITE },
        body: new URLSearchParams({ token: premium, return_to: '/videos/42' }).toString(),
      }),
    );
    expect(result.statusCode).toBe(303);
    expect(result.headers.location).toBe('/videos/42');
    expect(issued(result)).toHaveLength(6);
  });

  it('honours return_to on logout with the same Content-Type', async () => {
    const result = await login(
      httpApiEvent({
        path: '/auth/logout',
        headers: { 'content-type': formType, origin: SITE },
        body: 'return_to=%2Fvideos%2F42',
      }),
    );
    expect(result.statusCode).toBe(303);
    expect(result.headers.location).toBe('/videos/42');
  });
});

describe('posts a browser can send cross-site without a preflight (CSRF)', () => {
  const formLogin = (path: string, headers: Record<string, string>, token = premium) =>
    httpApiEvent({
      path,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({ token, return_to: '/videos/42' }).toString(),
    });

  /** A refusal: 403 ORIGIN_NOT_ALLOWED, no cookie set or expired, no redirect. */
  function expectOriginRefused(result: HttpResult): void {
    expect(result.statusCode).toBe(403);
    expect(json(result)).toEqual({ error: { code: 'ORIGIN_NOT_ALLOWED', message: expect.any(String) } });
    expect(result.cookies).toBeUndefined();
    expect(result.headers.location).toBeUndefined();
  }

  it.each<[string, string, Record<string, string>]>([
    ['a login form from another site', '/auth/login', { origin: 'https://evil.com' }],
    ['a refresh form from another site', '/auth/refresh', { origin: 'https://evil.com' }],
    ['a logout form from another site', '/auth/logout', { origin: 'https://evil.com' }],
    ['a login form with Origin: null', '/auth/login', { origin: 'null' }],
    ['a login form with neither Origin nor Sec-Fetch-Site', '/auth/login', {}],
    ['a login form marked Sec-Fetch-Site: cross-site', '/auth/login', { 'sec-fetch-site': 'cross-site' }],
    [
      'a login form in another casing, from another site',
      '/auth/login',
      { 'content-type': 'Application/X-WWW-Form-Urlencoded; charset=UTF-8', origin: 'https://evil.com' },
    ],
    [
      'a multipart login from another site',
      '/auth/login',
      { 'content-type': 'multipart/form-data; boundary=x', origin: 'https://evil.com' },
    ],
  ])('refuses %s with 403 ORIGIN_NOT_ALLOWED', async (_, path, headers) => {
    expectOriginRefused(await login(formLogin(path, headers)));
  });

  it('refuses a text/plain or untyped JSON body from another site (fetch no-cors, enctype=text/plain)', async () => {
    for (const headers of [{ 'content-type': 'text/plain' }, {}]) {
      const event = httpApiEvent({
        path: '/auth/login',
        headers: { ...headers, origin: 'https://evil.com' },
        body: JSON.stringify({ token: premium }),
      });
      expectOriginRefused(await login(event));
    }
  });

  it('refuses a bodiless logout from another site', async () => {
    expectOriginRefused(await login(httpApiEvent({ path: '/auth/logout', headers: { origin: 'https://evil.com' } })));
  });

  it('logs the refusal with its code and counts it as a denial', async () => {
    const before = deps.telemetry.logs.length;
    await login(formLogin('/auth/login', { origin: 'https://evil.com' }));
    expect(deps.telemetry.logs.slice(before)).toEqual([
      {
        level: 'warn',
        message: 'request refused',
        fields: {
          code: 'ORIGIN_NOT_ALLOWED',
          error: expect.stringContaining('a form post must come from a configured site'),
        },
      },
    ]);
    expect(deps.telemetry.counts.at(-1)).toEqual({
      metric: 'Denials',
      value: 1,
      dimension: { name: 'reason', value: 'ORIGIN_NOT_ALLOWED' },
    });
  });

  it.each<[string, Record<string, string>]>([
    ['a content domain', { origin: SITE }],
    ['a CORS origin', { origin: APP_ORIGIN }],
    ['no Origin but Sec-Fetch-Site: same-origin', { 'sec-fetch-site': 'same-origin' }],
    ['no Origin but Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }],
  ])('accepts a login form from %s', async (_, headers) => {
    const result = await login(formLogin('/auth/login', headers));
    expect(result.statusCode).toBe(303);
    expect(issued(result)).toHaveLength(6);
  });

  it('leaves JSON and Bearer requests from another site to CORS: answered, without CORS headers', async () => {
    const fromJson = await login(
      httpApiEvent({
        path: '/auth/login',
        headers: { 'content-type': 'application/json', origin: 'https://evil.com' },
        body: JSON.stringify({ token: premium }),
      }),
    );
    const fromBearer = await login(
      formLogin('/auth/login', { authorization: `Bearer ${premium}`, origin: 'https://evil.com' }),
    );
    for (const result of [fromJson, fromBearer]) {
      expect(issued(result)).toHaveLength(6);
      expect(result.headers['access-control-allow-origin']).toBeUndefined();
    }
    expect(fromJson.statusCode).toBe(200);
    expect(fromBearer.statusCode).toBe(303);
  });
});

describe('POST /auth/refresh and /auth/logout', () => {
  it('re-issues cookies while the token is valid, and refuses an expired one', async () => {
    const refreshed = await login(
      httpApiEvent({ path: '/auth/refresh', headers: { authorization: `Bearer ${premium}` } }),
    );
    expect(refreshed.statusCode).toBe(200);
    expect(issued(refreshed)).toHaveLength(6);
    const expired = await fx.idp.mint({ sub: 'ada', groups: ['premium'] }, { expiresIn: -3600 });
    const refused = await login(
      httpApiEvent({ path: '/auth/refresh', headers: { authorization: `Bearer ${expired}` } }),
    );
    expect(refused.statusCode).toBe(401);
    expect(json(refused)).toMatchObject({ error: { code: 'TOKEN_EXPIRED' } });
  });

  it('expires every cookie login may set, with the same Path (and Domain)', async () => {
    const result = await login(httpApiEvent({ path: '/auth/logout', headers: { origin: SITE } }));
    expect(result.statusCode).toBe(200);
    const cookies = result.cookies ?? [];
    for (const path of ['/', '/videos/', '/reports/']) {
      for (const name of [
        'CloudFront-Policy',
        'CloudFront-Signature',
        'CloudFront-Key-Pair-Id',
        'CloudFront-Expires',
      ]) {
        expect(cookies).toContain(
          `${name}=; Path=${path}; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; SameSite=Lax`,
        );
      }
    }
    const withDomain = createLoginHandler(fx.dependencies({ cookie: { domain: 'example.com' } }));
    const scoped = await withDomain(httpApiEvent({ path: '/auth/logout', headers: { origin: SITE } }));
    expect(scoped.cookies).toHaveLength(15);
    expect(scoped.cookies?.every((c) => c.includes('; Domain=example.com; '))).toBe(true);
  });
});

describe('cookie attributes from the configuration', () => {
  it('sets Domain, SameSite and session cookies as configured', async () => {
    const handler = createLoginHandler(
      fx.dependencies({ cookie: { domain: 'example.com', sameSite: 'Strict', session: true } }),
    );
    const cookies = issued(await handler(bearer(premium)));
    expect(cookies).toHaveLength(6);
    for (const line of cookies) {
      expect(line).toMatch(/; Domain=example\.com; Path=\/(videos|reports)\/; Secure; HttpOnly; SameSite=Strict$/);
      expect(line).not.toMatch(/Max-Age|Expires=/);
    }
  });

  it('cannot start with a configuration whose cookie could pass 4 KB', () => {
    const templates = `/${Array.from({ length: 6 }, () => '{sub}').join('/')}/*`;
    expect(() =>
      createLoginHandler(
        fx.dependencies({ accessRules: [{ name: 'big', grants: [{ path: templates, maxTtlSeconds: 600 }] }] }),
      ),
    ).toThrow(/over the browser limit of 4096/);
  });

  it('never sets a cookie over 4 KB once a configuration has passed the startup check', async () => {
    // The most {sub} templates the startup check still accepts, each worth 256 UTF-8 bytes at most.
    const handlerFor = (count: number) => {
      const path = `/${Array.from({ length: count }, () => '{sub}').join('/')}/*`;
      return createLoginHandler(
        fx.dependencies({ accessRules: [{ name: 'tight', grants: [{ path, maxTtlSeconds: 600 }] }] }),
      );
    };
    let fits = 0;
    for (let count = 1; count <= 8; count++) {
      try {
        handlerFor(count);
        fits = count;
      } catch {
        break;
      }
    }
    expect(fits).toBeGreaterThanOrEqual(2);
    expect(() => handlerFor(fits + 1)).toThrow(/over the browser limit/);
    const tight = handlerFor(fits);
    let largest = 0;
    const cases: [string, string, number][] = [
      ['256 ASCII characters', 'x'.repeat(256), 200],
      ['85 CJK characters (255 UTF-8 bytes)', '\u5c71'.repeat(85), 200],
      ['64 emoji (256 UTF-8 bytes)', '\u{1F600}'.repeat(64), 200],
      ['86 CJK characters (258 UTF-8 bytes)', '\u5c71'.repeat(86), 403],
      ['256 CJK characters (768 UTF-8 bytes)', '\u5c71'.repeat(256), 403],
    ];
    for (const [name, sub, status] of cases) {
      const result = await tight(bearer(await fx.idp.mint({ sub })));
      expect(result.statusCode, name).toBe(status);
      if (status === 403) {
        expect(json(result)).toMatchObject({ error: { code: 'CLAIM_UNUSABLE' } });
        expect(issued(result)).toEqual([]);
        expect(deleted(result)).toContain('CloudFront-Policy /');
        continue;
      }
      const cookies = issued(result);
      expect(cookies).toHaveLength(3);
      for (const line of cookies) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(4096);
      largest = Math.max(largest, ...cookies.map((line) => Buffer.byteLength(line)));
    }
    // The tightest configuration really comes close to the limit (encoded CJK claims).
    expect(largest).toBeGreaterThan(3000);
  });

  it('cannot start with two grants of one rule sharing a cookie Path', () => {
    expect(() =>
      createLoginHandler(
        fx.dependencies({
          accessRules: [
            {
              name: 'clash',
              grants: [
                { path: '/reports/q3.pdf', maxTtlSeconds: 600 },
                { path: '/reports/q4.pdf', maxTtlSeconds: 600 },
              ],
            },
          ],
        }),
      ),
    ).toThrow(/would share cookie Path \/reports\//);
  });
});

describe('CORS', () => {
  it('echoes an allowed origin with credentials and Vary: Origin', async () => {
    const result = await login(bearer(premium, { origin: APP_ORIGIN }));
    expect(result.headers).toMatchObject({
      'access-control-allow-origin': APP_ORIGIN,
      'access-control-allow-credentials': 'true',
      vary: 'Origin',
    });
  });

  it('gives other origins no CORS headers, on success and on error', async () => {
    for (const event of [
      bearer(premium, { origin: 'https://evil.com' }),
      bearer('x.y.z', { origin: 'https://evil.com' }),
    ]) {
      const result = await login(event);
      expect(result.headers['access-control-allow-origin']).toBeUndefined();
      expect(result.headers['access-control-allow-credentials']).toBeUndefined();
      expect(result.headers.vary).toBe('Origin');
    }
  });

  it('answers preflights for allowed origins only', async () => {
    const preflight = (origin: string) =>
      login(
        httpApiEvent({
          method: 'OPTIONS',
          path: '/auth/login',
          headers: { origin, 'access-control-request-method': 'POST' },
        }),
      );
    const ok = await preflight(APP_ORIGIN);
    expect(ok.statusCode).toBe(204);
    expect(ok.headers).toMatchObject({
      'access-control-allow-origin': APP_ORIGIN,
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers': 'authorization, content-type',
      'access-control-allow-credentials': 'true',
      'access-control-max-age': '600',
    });
    const other = await preflight('https://evil.com');
    expect(other.statusCode).toBe(204);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('bad input gets a stable JSON error and never a stack trace', () => {
  it.each<[string, unknown, number, string]>([
    ['no token', httpApiEvent({ path: '/auth/login', headers: { origin: SITE } }), 401, 'TOKEN_MISSING'],
    [
      'no token in a JSON body',
      httpApiEvent({ path: '/auth/login', headers: { 'content-type': 'application/json' }, body: '{}' }),
      401,
      'TOKEN_MISSING',
    ],
    [
      'a non-Bearer Authorization',
      httpApiEvent({ path: '/auth/login', headers: { authorization: 'Basic abc' } }),
      401,
      'TOKEN_INVALID',
    ],
    ['a malformed token', bearer('not-a-jwt'), 401, 'TOKEN_INVALID'],
    ['an oversized token', bearer(`${'a'.repeat(20_000)}.b.c`), 401, 'TOKEN_INVALID'],
    [
      'invalid JSON',
      httpApiEvent({ path: '/auth/login', headers: { 'content-type': 'application/json' }, body: '{"token":' }),
      400,
      'BAD_REQUEST',
    ],
    [
      'a JSON array',
      httpApiEvent({ path: '/auth/login', headers: { 'content-type': 'application/json' }, body: '[]' }),
      400,
      'BAD_REQUEST',
    ],
    [
      'a non-string token',
      httpApiEvent({ path: '/auth/login', headers: { origin: SITE }, body: '{"token":42}' }),
      401,
      'TOKEN_INVALID',
    ],
    [
      'an unsupported content type',
      httpApiEvent({ path: '/auth/login', headers: { 'content-type': 'text/xml', origin: SITE }, body: '<a/>' }),
      400,
      'BAD_REQUEST',
    ],
    [
      'a body over the limit',
      httpApiEvent({ path: '/auth/login', body: `{"token":"${'a'.repeat(70_000)}"}` }),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    ['a GET', httpApiEvent({ method: 'GET', path: '/auth/login' }), 404, 'NOT_FOUND'],
    ['an unknown path', httpApiEvent({ path: '/auth/whoami' }), 404, 'NOT_FOUND'],
    ['something that is not an HTTP API event', { hello: 'world' }, 400, 'BAD_REQUEST'],
    ['nothing at all', undefined, 400, 'BAD_REQUEST'],
  ])('%s → %i %s', async (_name, event, status, code) => {
    const result = await login(event);
    expect(result.statusCode).toBe(status);
    expect(json(result)).toEqual({ error: { code, message: expect.any(String) } });
    expectNoStack(result);
  });

  it('refuses the JWT attack classics with 401', async () => {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = { iss: fx.idp.issuer, aud: fx.idp.audience, sub: 'mallory', groups: ['premium'], exp: NOW + 600 };
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    const wrongIssuer = await fx.idp.mint({ sub: 'x', groups: ['premium'] }, { issuer: 'https://evil.example/' });
    const wrongAudience = await fx.idp.mint({ sub: 'x', groups: ['premium'] }, { audience: 'someone-else' });
    const notYet = await fx.idp.mint({ sub: 'x', groups: ['premium'] }, { notBefore: 600 });
    for (const token of [none, wrongIssuer, wrongAudience, notYet]) {
      const result = await login(bearer(token));
      expect(result.statusCode).toBe(401);
      expect(json(result)).toMatchObject({ error: { code: 'TOKEN_INVALID' } });
    }
  });

  it('records a denial by reason and issued cookies in telemetry', async () => {
    const before = deps.telemetry.counts.length;
    await login(bearer('not-a-jwt'));
    await login(bearer(premium));
    expect(deps.telemetry.counts.slice(before)).toEqual([
      { metric: 'Denials', value: 1, dimension: { name: 'reason', value: 'TOKEN_INVALID' } },
      { metric: 'CookiesIssued', value: 2 },
    ]);
    const line = JSON.stringify(deps.telemetry.logs);
    expect(line).not.toContain(premium.split('.')[2]);
  });
});

describe('signing key from Secrets Manager', () => {
  it('answers 503 SIGNING_KEY_UNAVAILABLE when the secret is missing, and logs what to fix', async () => {
    const handler = createLoginHandler(fx.dependencies({ signingSecretId: 'edgepass/missing' }));
    const result = await handler(bearer(premium));
    expect(result.statusCode).toBe(503);
    expect(json(result)).toMatchObject({ error: { code: 'SIGNING_KEY_UNAVAILABLE' } });
    expectNoStack(result);
  });

  it('reads the key once and reuses it', async () => {
    const handler = createLoginHandler(fx.dependencies());
    const before = fx.sm.calls('GetSecretValue').length;
    await handler(bearer(premium));
    await handler(bearer(premium));
    await handler(bearer(premium));
    expect(fx.sm.calls('GetSecretValue').length - before).toBe(1);
    expect(SECRET_ID).toBe(deps.config.signingSecretId);
  });
});
