import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyValueStore } from '../../dev/cloudfront-functions-runtime';
import { createLoginHandler } from '../../functions/login/create-handler';
import { SESSION_COOKIE, sessionKeyName } from '../../shared/edge/session-token';
import type { HttpResult } from '../../shared/regional/http-api';
import { loadBuiltFunction, newSessionKey } from '../fixtures/built-function';
import { loadBuiltGate, writeConfig } from '../fixtures/built-gate';
import { NOW, rsaKeyPair } from '../fixtures/keys';
import {
  CONTENT_HOST,
  httpApiEvent,
  KEY_PAIR_ID,
  type RegionalFixture,
  SECRET_ID,
  startRegionalFixture,
} from '../fixtures/regional';
import { viewerRequestEvent } from '../fixtures/viewer-events';

/**
 * Zero-downtime key rotation, end to end for both gates: the login Lambda signs from Secrets Manager
 * (the real SDK client, the local endpoint), the built Lambda@Edge bundle trusts the configured key
 * group, the built CloudFront Function reads its HMAC keys from its KeyValueStore. While both keys are
 * trusted, credentials from before the rotation keep working and new ones carry the new key ids; once
 * the old key is removed, its credentials are denied with `unknown-key`.
 */

const OLD_SESSION = { keyId: 'S20261101000000', key: newSessionKey() };
const NEW_SESSION = { keyId: 'S20261201000000', key: newSessionKey() };
const NEW_KEY_PAIR_ID = 'K3NEWROTATED01';
const next = rsaKeyPair();

let fx: RegionalFixture;
let premium: string;

beforeAll(async () => {
  fx = await startRegionalFixture();
  premium = await fx.idp.mint({ sub: 'ada', groups: ['premium'] }, { expiresIn: 7200 });
});
afterAll(() => fx.close());

function putSecret(keyPairId: string, privateKey: string, session: { keyId: string; key: string }): void {
  fx.sm.put(SECRET_ID, JSON.stringify({ keyPairId, privateKey, sessionKeyId: session.keyId, sessionKey: session.key }));
}

class PinnedDate extends Date {
  static override now(): number {
    return (NOW + 1) * 1000;
  }
}

/** The Lambda@Edge gate built with this key group (the deploy that trusts it). */
function edgeGate(keys: readonly { id: string; publicKey: string }[]) {
  return loadBuiltGate(
    writeConfig('edgepass.config.json', {
      domains: [CONTENT_HOST],
      keyGroup: keys,
      signingSecretId: SECRET_ID,
      functionGate: { paths: ['/videos/*'] },
    }),
    // The bundle's clock is the fixture's (login signs at NOW), a second later.
    { globals: { Date: PinnedDate } },
  );
}

/** `name=value; …` of the cookies login set (not those it deleted) whose Path covers `path`. */
function cookiesFor(result: HttpResult, path: string): string {
  return (result.cookies ?? [])
    .filter((line) => !line.includes('; Max-Age=0; '))
    .map((line) => line.split('; '))
    .filter((parts) => path.startsWith(parts.find((p) => p.startsWith('Path='))?.slice(5) ?? '/'))
    .map((parts) => parts[0])
    .join('; ');
}

const OLD_KEY = () => ({ id: KEY_PAIR_ID, publicKey: fx.signing.publicPem });
const NEW_KEY = { id: NEW_KEY_PAIR_ID, publicKey: next.publicPem };
const URI = '/videos/42/seg-1.ts';

describe('zero-downtime rotation of the CloudFront key and the session key', () => {
  it('keeps old credentials working while both keys are trusted, then denies them with unknown-key', async () => {
    // Before: the old keys sign, the old keys are trusted.
    putSecret(KEY_PAIR_ID, fx.signing.privatePem, OLD_SESSION);
    const store = createKeyValueStore({ [sessionKeyName(OLD_SESSION.keyId)]: OLD_SESSION.key });
    const fn = loadBuiltFunction(
      writeConfig('edgepass.config.json', {
        domains: [CONTENT_HOST],
        keyGroup: [OLD_KEY()],
        signingSecretId: SECRET_ID,
      }),
      { store },
    );
    const deps = fx.dependencies({ functionGate: { paths: ['/videos/*'] } }, { keys: { ttlMs: 0 } });
    const login = createLoginHandler(deps);
    const before = await login(httpApiEvent({ path: '/auth/login', headers: { authorization: `Bearer ${premium}` } }));
    const oldCookies = cookiesFor(before, URI);
    expect(oldCookies).toContain(`CloudFront-Key-Pair-Id=${KEY_PAIR_ID}`);

    // 1–3: trust both (deploy the edge with both keys, add the new session key to the store), then
    // switch the signer by writing the secret's new version: login picks it up without a redeploy.
    const both = edgeGate([OLD_KEY(), NEW_KEY]);
    store.put(sessionKeyName(NEW_SESSION.keyId), NEW_SESSION.key);
    putSecret(NEW_KEY_PAIR_ID, next.privatePem, NEW_SESSION);
    await login(httpApiEvent({ path: '/auth/login', headers: { authorization: `Bearer ${premium}` } }));
    await deps.keys.settled();
    const after = await login(httpApiEvent({ path: '/auth/login', headers: { authorization: `Bearer ${premium}` } }));
    const newCookies = cookiesFor(after, URI);
    expect(newCookies).toContain(`CloudFront-Key-Pair-Id=${NEW_KEY_PAIR_ID}`);
    expect(newCookies).toContain(`${SESSION_COOKIE}=v1.${NEW_SESSION.keyId}.`);

    for (const cookies of [oldCookies, newCookies]) {
      const edge = await both.handle(viewerRequestEvent({ uri: URI, host: CONTENT_HOST, cookies: [cookies] }));
      expect(edge.status, JSON.stringify(both.logs.at(-1))).toBeUndefined();
      const cff = await fn.handle({ uri: URI, host: CONTENT_HOST, cookies: [cookies] }, NOW + 1);
      expect(cff.status, JSON.stringify(fn.logs.at(-1))).toBeUndefined();
    }
    expect(both.logs.map((line) => line.keyPairId)).toEqual([KEY_PAIR_ID, NEW_KEY_PAIR_ID]);
    expect(fn.logs.map((line) => line.keyPairId)).toEqual([OLD_SESSION.keyId, NEW_SESSION.keyId]);

    // 4: after the longest grant, the old key leaves the key group and the store.
    const onlyNew = edgeGate([NEW_KEY]);
    store.delete(sessionKeyName(OLD_SESSION.keyId));
    const oldEdge = await onlyNew.handle(viewerRequestEvent({ uri: URI, host: CONTENT_HOST, cookies: [oldCookies] }));
    expect(oldEdge.status).toBe('403');
    expect(onlyNew.logs.at(-1)).toMatchObject({ decision: 'deny', reason: 'unknown-key', keyPairId: KEY_PAIR_ID });
    const oldCff = await fn.handle({ uri: URI, host: CONTENT_HOST, cookies: [oldCookies] }, NOW + 1);
    expect(oldCff.status).toBe('403');
    expect(fn.logs.at(-1)).toMatchObject({ decision: 'deny', reason: 'unknown-key', keyPairId: OLD_SESSION.keyId });
    expect(
      (await onlyNew.handle(viewerRequestEvent({ uri: URI, host: CONTENT_HOST, cookies: [newCookies] }))).status,
    ).toBeUndefined();
    expect((await fn.handle({ uri: URI, host: CONTENT_HOST, cookies: [newCookies] }, NOW + 1)).status).toBeUndefined();
  });
});
