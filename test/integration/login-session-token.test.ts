import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyValueStore } from '../../dev/cloudfront-functions-runtime';
import { createLoginHandler } from '../../functions/login/create-handler';
import { readSessionToken, SESSION_COOKIE, sessionKeyName } from '../../shared/edge/session-token';
import type { HttpResult } from '../../shared/regional/http-api';
import { type BuiltFunction, loadBuiltFunction, newSessionKey } from '../fixtures/built-function';
import { repoConfigWith } from '../fixtures/built-gate';
import { NOW } from '../fixtures/keys';
import {
  CONTENT_HOST,
  httpApiEvent,
  KEY_PAIR_ID,
  type RegionalFixture,
  SECRET_ID,
  startRegionalFixture,
} from '../fixtures/regional';

/**
 * Login with the CloudFront Functions gate configured (`functionGate`): beside each grant's CloudFront
 * cookies it sets the session token the function checks, MAC'd with the signing secret's session key
 * (read from the local Secrets Manager by the real SDK client), and the built function — run in the
 * cloudfront-js-2.0 stand-in with that key in its KeyValueStore — admits exactly the grants.
 */

const SESSION_KEY_ID = 'S20261130';
const SESSION_KEY = newSessionKey();
const FUNCTION_GATE = { functionGate: { paths: ['/videos/*'] } };

let fx: RegionalFixture;
let premium: string;
let fn: BuiltFunction;

function secretWithSession(keyId: string, key: string): string {
  return JSON.stringify({
    keyPairId: KEY_PAIR_ID,
    privateKey: fx.signing.privatePem,
    sessionKeyId: keyId,
    sessionKey: key,
  });
}

beforeAll(async () => {
  fx = await startRegionalFixture();
  fx.sm.put(SECRET_ID, secretWithSession(SESSION_KEY_ID, SESSION_KEY));
  premium = await fx.idp.mint({ sub: 'ada', groups: ['premium'] }, { expiresIn: 7200 });
  fn = loadBuiltFunction(repoConfigWith({ domains: [CONTENT_HOST] }), {
    store: createKeyValueStore({ [sessionKeyName(SESSION_KEY_ID)]: SESSION_KEY }),
  });
});
afterAll(() => fx.close());

const bearer = (token: string) => httpApiEvent({ path: '/auth/login', headers: { authorization: `Bearer ${token}` } });

/** `name=value` and the attributes of each Set-Cookie line. */
function parsed(lines: readonly string[]) {
  return lines.map((line) => {
    const [pair, ...attributes] = line.split('; ');
    const eq = (pair as string).indexOf('=');
    return { name: (pair as string).slice(0, eq), value: (pair as string).slice(eq + 1), attributes };
  });
}

/** The cookies an answer sets, without the deletions of Paths it does not set again. */
function issued(lines: readonly string[] | undefined): string[] {
  return (lines ?? []).filter((line) => !line.includes('; Max-Age=0; '));
}

/** The session cookie the browser would send for `path` (the longest matching Path first). */
function sessionFor(result: HttpResult, path: string): string {
  const sessions = parsed(issued(result.cookies))
    .filter((cookie) => cookie.name === SESSION_COOKIE)
    .map((cookie) => ({ ...cookie, path: cookie.attributes.find((a) => a.startsWith('Path='))?.slice(5) ?? '/' }))
    .filter((cookie) => path.startsWith(cookie.path))
    .sort((a, b) => b.path.length - a.path.length);
  return sessions.map((cookie) => `${SESSION_COOKIE}=${cookie.value}`).join('; ');
}

describe('login with the CloudFront Functions gate configured', () => {
  it('sets one session token per grant beside its CloudFront cookies, with the same Path and lifetime', async () => {
    const result = await createLoginHandler(fx.dependencies(FUNCTION_GATE))(bearer(premium));
    expect(result.statusCode).toBe(200);
    const cookies = parsed(issued(result.cookies));
    expect(cookies).toHaveLength(8);
    const sessions = cookies.filter((cookie) => cookie.name === SESSION_COOKIE);
    expect(sessions).toHaveLength(2);
    for (const session of sessions) {
      const policy = cookies.find(
        (cookie) => cookie.name === 'CloudFront-Policy' && cookie.attributes[0] === session.attributes[0],
      );
      // Same Path, Max-Age, Expires, Secure, HttpOnly and SameSite as the grant's policy cookie.
      expect(session.attributes).toEqual(policy?.attributes);
      const token = readSessionToken(session.value);
      const grant = session.attributes[0] === 'Path=/videos/' ? '/videos/*' : '/reports/*';
      expect(token).toMatchObject({ keyId: SESSION_KEY_ID, resource: `https://${CONTENT_HOST}${grant}` });
      const policyJson = JSON.parse(
        Buffer.from(
          String(policy?.value).replace(/-/g, '+').replace(/~/g, '/').replace(/_/g, '='),
          'base64',
        ).toString(),
      );
      // Never longer-lived than the CloudFront cookies: the very same expiry.
      expect(token?.expires).toBe(policyJson.Statement[0].Condition.DateLessThan['AWS:EpochTime']);
    }
  });

  it('issues tokens the built function admits inside each grant and denies outside', async () => {
    const result = await createLoginHandler(fx.dependencies(FUNCTION_GATE))(bearer(premium));
    for (const [uri, admitted] of [
      ['/videos/42/seg-1.ts', true],
      ['/reports/q3.pdf', true],
      ['/users/ada/notes.txt', false],
      ['/private/x', false],
    ] as const) {
      const answer = await fn.handle({ uri, host: CONTENT_HOST, cookies: [sessionFor(result, uri)] }, NOW + 1);
      expect(answer.status, uri).toBe(admitted ? undefined : '403');
    }
    // The grant for /reports/* ends after 600 s, the one for /videos/* after 3600 s.
    const later = { host: CONTENT_HOST };
    expect(
      (
        await fn.handle(
          { uri: '/reports/q3.pdf', cookies: [sessionFor(result, '/reports/q3.pdf')], ...later },
          NOW + 600,
        )
      ).status,
    ).toBe('403');
    expect(fn.logs.at(-1)).toMatchObject({ decision: 'deny', reason: 'expired' });
    expect(
      (await fn.handle({ uri: '/videos/1.ts', cookies: [sessionFor(result, '/videos/1.ts')], ...later }, NOW + 600))
        .status,
    ).toBeUndefined();
  });

  it('sets no session token when the function gate is not configured', async () => {
    const result = await createLoginHandler(fx.dependencies())(bearer(premium));
    expect(issued(result.cookies)).toHaveLength(6);
    expect(JSON.stringify(result.cookies)).not.toContain(SESSION_COOKIE);
  });

  it('expires the session cookies on logout, on every Path login may use', async () => {
    const result = await createLoginHandler(fx.dependencies(FUNCTION_GATE))(
      httpApiEvent({ path: '/auth/logout', headers: { origin: `https://${CONTENT_HOST}` } }),
    );
    expect(result.statusCode).toBe(200);
    const expired = parsed(result.cookies ?? []).filter((cookie) => cookie.name === SESSION_COOKIE);
    expect(expired.map((cookie) => cookie.attributes[0]).sort()).toEqual(['Path=/', 'Path=/reports/', 'Path=/videos/']);
    for (const cookie of expired) expect(cookie.attributes).toContain('Max-Age=0');
  });

  it('answers 503 and logs what to fix when the signing secret has no session key', async () => {
    const secretId = 'edgepass/test/no-session';
    fx.sm.put(secretId, JSON.stringify({ keyPairId: KEY_PAIR_ID, privateKey: fx.signing.privatePem }));
    const deps = fx.dependencies({ ...FUNCTION_GATE, signingSecretId: secretId });
    const result = await createLoginHandler(deps)(bearer(premium));
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body)).toMatchObject({ error: { code: 'SIGNING_KEY_UNAVAILABLE' } });
    expect(result.body).not.toContain('sessionKey');
    expect(JSON.stringify(deps.telemetry.logs)).toContain('edgepass keys rotate --session');
  });

  it('picks up a rotated session key from a new secret version within the cache TTL, without a redeploy', async () => {
    const secretId = 'edgepass/test/rotating';
    fx.sm.put(secretId, secretWithSession(SESSION_KEY_ID, SESSION_KEY));
    let clock = 0;
    const deps = fx.dependencies(
      { ...FUNCTION_GATE, signingSecretId: secretId },
      { keys: { ttlMs: 60_000, now: () => clock } },
    );
    const handler = createLoginHandler(deps);
    const before = readSessionToken(sessionFor(await handler(bearer(premium)), '/videos/').split('=')[1]);
    expect(before?.keyId).toBe(SESSION_KEY_ID);

    const next = newSessionKey();
    fx.sm.put(secretId, secretWithSession('S20261201', next));
    clock = 30_000; // within the TTL: still the old key
    expect(readSessionToken(sessionFor(await handler(bearer(premium)), '/videos/').split('=')[1])?.keyId).toBe(
      SESSION_KEY_ID,
    );
    clock = 61_000; // past it: served at once while one background refresh fetches the new version
    await handler(bearer(premium));
    await deps.keys.settled();
    const after = sessionFor(await handler(bearer(premium)), '/videos/');
    expect(readSessionToken(after.split('=')[1])?.keyId).toBe('S20261201');

    // Both keys live in the store during the rotation: old and new tokens are admitted.
    fn.store.put(sessionKeyName('S20261201'), next);
    const oldCookie = `${SESSION_COOKIE}=${before?.signed}.${before?.mac}`;
    for (const cookie of [oldCookie, after]) {
      expect(
        (await fn.handle({ uri: '/videos/7.ts', host: CONTENT_HOST, cookies: [cookie] }, NOW + 1)).status,
      ).toBeUndefined();
    }
    fn.store.delete(sessionKeyName('S20261201'));
  });
});

describe('the signing secret’s session fields', () => {
  it.each([
    ['a session key id that is not one', { sessionKeyId: 'S-1', sessionKey: 'x'.repeat(43) }],
    ['a session key shorter than 32 bytes', { sessionKeyId: 'S1', sessionKey: 'x'.repeat(42) }],
    ['a session key without its id', { sessionKey: 'x'.repeat(43) }],
  ])('are refused with what to fix: %s', async (_, fields) => {
    const secretId = `edgepass/test/bad-session-${Object.keys(fields).length}-${JSON.stringify(fields).length}`;
    fx.sm.put(secretId, JSON.stringify({ keyPairId: KEY_PAIR_ID, privateKey: fx.signing.privatePem, ...fields }));
    const deps = fx.dependencies({ ...FUNCTION_GATE, signingSecretId: secretId });
    const result = await createLoginHandler(deps)(bearer(premium));
    expect(result.statusCode).toBe(503);
    expect(JSON.stringify(deps.telemetry.logs)).toMatch(/sessionKey(Id)? is not/);
    expect(JSON.stringify(deps.telemetry.logs)).not.toContain('x'.repeat(42));
  });
});
