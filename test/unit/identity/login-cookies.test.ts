import { describe, expect, it } from 'vitest';
import { createKeyGroup, verifySignedRequest } from '../../../shared/cloudfront';
import { decodeCloudFrontBase64 } from '../../../shared/cloudfront/base64';
import { loadSigningKey } from '../../../shared/cloudfront/signing-key';
import type { AccessRuleConfig, CookieConfig } from '../../../shared/config/schema';
import { readSessionToken, SESSION_COOKIE, verifySessionToken } from '../../../shared/edge/session-token';
import {
  allCookiePaths,
  checkCookieConfig,
  cookiePathFor,
  issueLoginCookies,
  logoutCookies,
  staleCookies,
} from '../../../shared/identity/login-cookies';
import { sessionHmac } from '../../../shared/identity/session-hmac';
import { NOW, rsaKeyPair } from '../../fixtures/keys';

const rsa = rsaKeyPair();
const KEY_PAIR_ID = 'K2JCJMDEHXQW5F';
const ORIGIN = 'https://media.example.com';
const keyGroup = createKeyGroup([{ id: KEY_PAIR_ID, publicKey: rsa.publicPem }]);
const LAX: CookieConfig = { path: '/', sameSite: 'Lax', session: false };
const videos: AccessRuleConfig = { name: 'videos', when: [], grants: [{ path: '/videos/*', maxTtlSeconds: 3600 }] };
const premium: AccessRuleConfig = {
  name: 'premium',
  when: [],
  grants: [
    { path: '/videos/*', maxTtlSeconds: 3600 },
    { path: '/users/{sub}/*', maxTtlSeconds: 600 },
  ],
};

const SESSION = { keyId: 'S20261130', key: 'k'.repeat(43) };

function issue(
  rule: AccessRuleConfig,
  cookie: CookieConfig = LAX,
  tokenExpiresAt = NOW + 7200,
  session?: { keyId: string; key: string },
) {
  return issueLoginCookies({
    session,
    rule,
    grants: rule.grants.map((g) => ({
      rule: rule.name,
      path: g.path.replace('{sub}', 'ada'),
      maxTtlSeconds: g.maxTtlSeconds,
    })),
    origin: ORIGIN,
    keyPairId: KEY_PAIR_ID,
    key: loadSigningKey(rsa.privatePem),
    cookie,
    now: NOW,
    tokenExpiresAt,
  });
}

/** The Cookie header a browser sends back: the name=value of every Set-Cookie line. */
const cookieHeader = (setCookies: readonly string[]) => setCookies.map((line) => line.split(';')[0]).join('; ');

/** The decoded CloudFront-Policy of a Set-Cookie list. */
function policyOf(setCookies: readonly string[]): unknown {
  const line = setCookies.find((l) => l.startsWith('CloudFront-Policy=')) as string;
  const bytes = decodeCloudFrontBase64(line.slice('CloudFront-Policy='.length, line.indexOf(';')));
  return JSON.parse(String(bytes));
}

describe('issueLoginCookies', () => {
  it('signs a custom policy that starts 60 s before issue: valid in the second it is issued and on an edge clock a little behind', () => {
    const { setCookies } = issue(videos);
    expect(policyOf(setCookies)).toEqual({
      Statement: [
        {
          Resource: `${ORIGIN}/videos/*`,
          Condition: {
            DateLessThan: { 'AWS:EpochTime': NOW + 3600 },
            DateGreaterThan: { 'AWS:EpochTime': NOW - 60 },
          },
        },
      ],
    });
    const decide = (now: number) =>
      verifySignedRequest({ url: `${ORIGIN}/videos/42/seg-1.ts`, cookie: cookieHeader(setCookies) }, { now, keyGroup });
    // The browser follows the login response at once: the very same second must work…
    expect(decide(NOW)).toMatchObject({ allowed: true, keyPairId: KEY_PAIR_ID, source: 'cookie' });
    // …and so must an edge location whose clock runs up to a minute behind the login Lambda's.
    expect(decide(NOW - 59)).toMatchObject({ allowed: true });
    expect(decide(NOW - 60)).toMatchObject({ allowed: false, reason: 'not-yet-valid' });
    expect(decide(NOW + 3599)).toMatchObject({ allowed: true });
    expect(decide(NOW + 3600)).toMatchObject({ allowed: false, reason: 'expired' });
  });

  it('caps each grant at its max TTL and at the token’s expiry, and reports the earliest', () => {
    const issued = issue(premium, LAX, NOW + 1800);
    expect(issued.grants).toEqual([
      { path: '/videos/*', expiresAt: NOW + 1800 },
      { path: '/users/ada/*', expiresAt: NOW + 600 },
    ]);
    expect(issued.expiresAt).toBe(NOW + 600);
  });

  it('refuses a token that has already expired', () => {
    expect(() => issue(videos, LAX, NOW)).toThrow(expect.objectContaining({ code: 'TOKEN_EXPIRED' }));
  });

  it('writes one cookie set per grant with its own Path, Max-Age and the configured attributes', () => {
    const { setCookies } = issue(premium);
    expect(setCookies).toHaveLength(6);
    const videoLines = setCookies.filter((l) => l.includes('; Path=/videos/;'));
    const userLines = setCookies.filter((l) => l.includes('; Path=/users/;'));
    expect(videoLines.map((l) => l.split('=')[0])).toEqual([
      'CloudFront-Policy',
      'CloudFront-Signature',
      'CloudFront-Key-Pair-Id',
    ]);
    expect(userLines).toHaveLength(3);
    for (const line of videoLines) {
      expect(line).toMatch(/; Path=\/videos\/; Max-Age=3600; Expires=[^;]+ GMT; Secure; HttpOnly; SameSite=Lax$/);
    }
    for (const line of userLines) expect(line).toContain('; Max-Age=600; ');
    expect(videoLines[2]).toMatch(new RegExp(`^CloudFront-Key-Pair-Id=${KEY_PAIR_ID};`));
  });

  it('writes session cookies with the configured Domain and SameSite', () => {
    const { setCookies } = issue(videos, { path: '/', sameSite: 'Strict', session: true, domain: 'example.com' });
    expect(setCookies).toHaveLength(3);
    for (const line of setCookies) {
      expect(line).toMatch(
        /^CloudFront-[A-Za-z-]+=[^;]+; Domain=example\.com; Path=\/; Secure; HttpOnly; SameSite=Strict$/,
      );
    }
  });

  it('refuses grants that do not belong to the rule', () => {
    expect(() =>
      issueLoginCookies({
        rule: videos,
        grants: premium.grants.map((g) => ({ rule: 'premium', path: g.path, maxTtlSeconds: g.maxTtlSeconds })),
        origin: ORIGIN,
        keyPairId: KEY_PAIR_ID,
        key: loadSigningKey(rsa.privatePem),
        cookie: LAX,
        now: NOW,
        tokenExpiresAt: NOW + 7200,
      }),
    ).toThrow(expect.objectContaining({ code: 'INTERNAL', message: 'grant does not belong to its rule' }));
  });
});

describe('cookie paths', () => {
  it('uses the configured Path for a single grant and each grant’s static prefix for several', () => {
    expect(cookiePathFor(videos, '/videos/*', { ...LAX, path: '/media/' })).toBe('/media/');
    expect(cookiePathFor(premium, '/videos/*', LAX)).toBe('/videos/');
    expect(cookiePathFor(premium, '/users/{sub}/*', LAX)).toBe('/users/');
    expect(cookiePathFor(premium, '/reports/q3.pdf', LAX)).toBe('/reports/');
    expect(cookiePathFor(premium, '/reports/', LAX)).toBe('/reports/');
    expect(cookiePathFor(premium, '/*', LAX)).toBe('/');
    expect(allCookiePaths([videos, premium], LAX)).toEqual(['/', '/videos/', '/users/']);
  });

  it('expires every cookie name on every Path login may set, with the configured Domain', () => {
    const lines = logoutCookies([premium], { ...LAX, domain: 'example.com' });
    // Three Paths times every CloudFront- cookie name (Hash-Algorithm and Expires included).
    expect(lines).toHaveLength(15);
    expect(lines).toContain(
      'CloudFront-Expires=; Domain=example.com; Path=/users/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; SameSite=Lax',
    );
  });
});

describe('checkCookieConfig', () => {
  it('accepts a configuration whose cookies always fit', () => {
    expect(() => checkCookieConfig([videos, premium], LAX, 'https', ['media.example.com'])).not.toThrow();
  });

  it('refuses two grants of one rule sharing a cookie Path, naming both', () => {
    const clash: AccessRuleConfig = {
      name: 'clash',
      when: [],
      grants: [
        { path: '/videos/a/*', maxTtlSeconds: 600 },
        { path: '/videos/a/b.mp4', maxTtlSeconds: 600 },
      ],
    };
    expect(() => checkCookieConfig([clash], LAX, 'https', ['media.example.com'])).toThrow(
      expect.objectContaining({
        code: 'INVALID_CONFIG',
        message:
          'edgepass config: accessRules clash: grants /videos/a/* and /videos/a/b.mp4 would share cookie Path /videos/a/; use one wildcard grant',
      }),
    );
  });

  it('refuses a grant whose policy cookie could pass 4 KB, measured with the longest domain', () => {
    const rule: AccessRuleConfig = {
      name: 'big',
      when: [],
      grants: [{ path: '/{sub}/{sub}/{sub}/*', maxTtlSeconds: 600 }],
    };
    /** The cookie Path is the one length that moves the line by a single byte. */
    const check = (pathLength: number, domains: string[]) =>
      checkCookieConfig([rule], { ...LAX, path: `/${'p'.repeat(pathLength - 1)}` }, 'https', domains);
    /** The longest cookie Path that still fits (the check is monotonic in it). */
    const longestFitting = (domains: string[]) => {
      let low = 1;
      let high = 4096;
      while (low < high) {
        const mid = Math.ceil((low + high) / 2);
        try {
          check(mid, domains);
          low = mid;
        } catch {
          high = mid - 1;
        }
      }
      return low;
    };
    const fitting = longestFitting(['a.io']);
    expect(fitting).toBeGreaterThan(100);
    // 4,096 bytes fit; one more does not, and the message says by how much.
    expect(() => check(fitting + 1, ['a.io'])).toThrow(
      expect.objectContaining({
        code: 'INVALID_CONFIG',
        message:
          'edgepass config: accessRules big: the cookie for /{sub}/{sub}/{sub}/* could reach 4097 bytes, over the browser limit of 4096; shorten the path or its templates',
      }),
    );
    // Three more bytes of domain are four more of base64: the longest domain is the one measured,
    // wherever it is in the list.
    expect(longestFitting(['abcd.io'])).toBe(fitting - 4);
    expect(longestFitting(['a.io', 'abcd.io', 'b.io'])).toBe(fitting - 4);
    // What the check accepts really fits, and tightly: cookies issued at that Path with the longest
    // claims (MAX_CLAIM_BYTES, 256, every byte percent-encoded) stay within 4,096 bytes by a few.
    const claim = encodeURIComponent('\u00e9'.repeat(128));
    const { setCookies } = issueLoginCookies({
      rule,
      grants: [{ rule: 'big', path: `/${claim}/${claim}/${claim}/*`, maxTtlSeconds: 600 }],
      origin: 'https://a.io',
      keyPairId: KEY_PAIR_ID,
      key: loadSigningKey(rsa.privatePem),
      cookie: { ...LAX, path: `/${'p'.repeat(fitting - 1)}` },
      now: NOW,
      tokenExpiresAt: NOW + 7200,
    });
    const longestLine = Math.max(...setCookies.map((line) => line.length));
    expect(longestLine).toBeLessThanOrEqual(4096);
    expect(longestLine).toBeGreaterThan(4096 - 16);
    // Templates count at their longest, not as written.
    const five: AccessRuleConfig = {
      name: 'five',
      when: [],
      grants: [{ path: '/{sub}/{sub}/{sub}/{sub}/{sub}/*', maxTtlSeconds: 600 }],
    };
    expect(() => checkCookieConfig([five], LAX, 'https', ['a.io'])).toThrow(/could reach \d+ bytes/);
  });
});

describe('issueLoginCookies with the CloudFront Functions gate (a session key)', () => {
  it("sets one session token per grant, bound to the grant's resource and the cookies' expiry, with the same attributes", () => {
    const { setCookies, grants } = issue(premium, LAX, NOW + 7200, SESSION);
    const tokens = setCookies.filter((line) => line.startsWith(`${SESSION_COOKIE}=`));
    expect(tokens).toHaveLength(2);
    expect(grants).toEqual([
      { path: '/videos/*', expiresAt: NOW + 3600 },
      { path: '/users/ada/*', expiresAt: NOW + 600 },
    ]);
    const expected = [
      { path: '/videos/', resource: `${ORIGIN}/videos/*`, expires: NOW + 3600, url: `${ORIGIN}/videos/a.ts` },
      { path: '/users/', resource: `${ORIGIN}/users/ada/*`, expires: NOW + 600, url: `${ORIGIN}/users/ada/x.pdf` },
    ];
    expected.forEach((want, index) => {
      const line = tokens[index] as string;
      const policy = setCookies.find((l) => l.startsWith('CloudFront-Policy=') && l.includes(`; Path=${want.path};`));
      // Everything after the value is the same as for the grant's CloudFront cookies.
      expect(line.slice(line.indexOf(';'))).toBe(policy?.slice(policy.indexOf(';')));
      const token = readSessionToken(line.slice(SESSION_COOKIE.length + 1, line.indexOf(';')));
      expect(token).toMatchObject({ keyId: SESSION.keyId, expires: want.expires, resource: want.resource });
      if (token === undefined) return;
      expect(verifySessionToken(token, SESSION.key, sessionHmac, want.url, NOW)).toBe('ok');
      expect(verifySessionToken(token, SESSION.key, sessionHmac, want.url, want.expires)).toBe('expired');
    });
  });

  it('sets no session token without a session key', () => {
    const { setCookies } = issue(premium);
    expect(setCookies).toHaveLength(6);
    expect(setCookies.filter((line) => line.startsWith(`${SESSION_COOKIE}=`))).toEqual([]);
  });
});

describe('staleCookies', () => {
  /** A Set-Cookie line as a browser keys it: its name and Path. */
  const named = (line: string) => `${line.slice(0, line.indexOf('='))} ${/; Path=([^;]*)/.exec(line)?.[1]}`;

  it('deletes what logout would, except the cookies the new login sets again (same name and Path)', () => {
    const logout = logoutCookies([videos, premium], LAX, true);
    // Six names (five CloudFront-* and the session token) at three Paths: /, /videos/, /users/.
    expect(logout).toHaveLength(18);
    const issued = issue(premium, LAX, NOW + 7200, SESSION).setCookies;
    const stale = staleCookies(logout, issued);
    // premium sets a policy, signature, key id and session token under /videos/ and under /users/; every
    // other deletion stays: all six at / (videos' Path), and Expires and Hash-Algorithm under both.
    const setAgain = ['CloudFront-Policy', 'CloudFront-Signature', 'CloudFront-Key-Pair-Id', SESSION_COOKIE].flatMap(
      (name) => [`${name} /videos/`, `${name} /users/`],
    );
    expect(stale).toHaveLength(10);
    expect(stale).toEqual(logout.filter((line) => !setAgain.includes(named(line))));
    expect(stale.map(named)).toContain(`${SESSION_COOKIE} /`);
  });

  it('keeps every deletion the new login does not overwrite, the session token one included', () => {
    const logout = logoutCookies([videos, premium], LAX, true);
    const stale = staleCookies(logout, issue(videos).setCookies);
    const setAgain = ['CloudFront-Policy /', 'CloudFront-Signature /', 'CloudFront-Key-Pair-Id /'];
    expect(stale).toHaveLength(15);
    expect(stale).toEqual(logout.filter((line) => !setAgain.includes(named(line))));
  });
});
