import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FlattenedSign } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EdgepassError, type EdgepassErrorCode } from '../../../shared/cloudfront/errors';
import type { IdentityProviderConfig } from '../../../shared/config/schema';
import { createTokenVerifier, type TokenVerifier } from '../../../shared/identity/token-verifier';
import { thrownEdgepassError } from '../../fixtures/edgepass-error';
import {
  base64url,
  createTestIdentityProvider,
  devHs256Provider,
  type JwksServer,
  serveJwks,
  type TestIdentityProvider,
  unsignedToken,
} from '../../fixtures/identity-provider';
import { NOW } from '../../fixtures/keys';

const now = () => NOW;

/** Matches a rejection with this EdgepassError code (and message, when given). */
function refused(code: EdgepassErrorCode, message?: string | RegExp) {
  return expect.objectContaining({
    name: 'EdgepassError',
    code,
    ...(message === undefined
      ? {}
      : { message: typeof message === 'string' ? message : expect.stringMatching(message) }),
  });
}

let rsa: TestIdentityProvider;
let ec: TestIdentityProvider;
/** Same issuer, audience and kid as `rsa`, but another key: an attacker's look-alike. */
let impostor: TestIdentityProvider;
let verifier: TokenVerifier;

beforeAll(async () => {
  [rsa, ec, impostor] = await Promise.all([
    createTestIdentityProvider({ name: 'corporate', alg: 'RS256' }),
    createTestIdentityProvider({ name: 'partners', alg: 'ES256', issuer: 'https://partners.example.org', kid: 'ec-1' }),
    createTestIdentityProvider({ name: 'impostor', alg: 'RS256' }),
  ]);
});

// Built before each test, not once in beforeAll: a verifier that throws while being built must fail
// tests (a failing beforeAll skips them, and Stryker then counts the mutant as surviving).
beforeEach(() => {
  verifier = createTokenVerifier([rsa.config, ec.config], { now });
});

describe('createTokenVerifier: valid tokens', () => {
  it('accepts an RS256 token and returns the provider, the verified claims and exp', async () => {
    const token = await rsa.mint({ sub: 'alice', groups: ['staff'] });
    await expect(verifier.verify(token)).resolves.toEqual({
      provider: 'corporate',
      claims: { iss: rsa.issuer, aud: 'edgepass', iat: NOW, exp: NOW + 3600, sub: 'alice', groups: ['staff'] },
      expiresAt: NOW + 3600,
    });
  });

  it('accepts an ES256 token, routed to the provider named by its iss', async () => {
    const verified = await verifier.verify(await ec.mint({ sub: 'bob' }));
    expect(verified.provider).toBe('partners');
    expect(verified.claims.sub).toBe('bob');
  });

  it('accepts a token verified with a PEM publicKey', async () => {
    const pemVerifier = createTokenVerifier([rsa.pemConfig()], { now });
    await expect(pemVerifier.verify(await rsa.mint({ sub: 'alice' }))).resolves.toMatchObject({
      provider: 'corporate',
    });
  });

  it('accepts a token without kid when the key set has one key for its algorithm', async () => {
    await expect(verifier.verify(await rsa.mint({}, { kid: null }))).resolves.toMatchObject({ provider: 'corporate' });
  });

  it('accepts an aud array that contains one of the accepted audiences', async () => {
    const multi = createTokenVerifier([{ ...rsa.config, audience: ['web', 'edgepass'] }], { now });
    const token = await rsa.mint({}, { audience: ['other-api', 'edgepass'] });
    await expect(multi.verify(token)).resolves.toMatchObject({ provider: 'corporate' });
  });

  it('accepts a token that expired less than the clock tolerance ago', async () => {
    const token = await rsa.mint({}, { expiresIn: -29 });
    await expect(verifier.verify(token)).resolves.toMatchObject({ expiresAt: NOW - 29 });
  });

  it('accepts a token whose nbf is within the clock tolerance', async () => {
    await expect(verifier.verify(await rsa.mint({ sub: 'alice' }, { notBefore: 20 }))).resolves.toMatchObject({
      provider: 'corporate',
      claims: { sub: 'alice', iss: rsa.issuer, nbf: NOW + 20 },
    });
  });

  it('returns frozen claims and exp in whole seconds', async () => {
    const { claims, expiresAt } = await verifier.verify(await rsa.mint({ exp: NOW + 60.75 }));
    expect(Object.isFrozen(claims)).toBe(true);
    expect(expiresAt).toBe(NOW + 60);
  });

  it('uses the system clock when no clock is given', async () => {
    const issuedAt = Math.floor(Date.now() / 1000);
    const idp = await createTestIdentityProvider({ now: issuedAt });
    await expect(createTokenVerifier([idp.config]).verify(await idp.mint({ sub: 'alice' }))).resolves.toMatchObject({
      provider: 'test-idp',
      claims: { sub: 'alice', iss: idp.issuer, iat: issuedAt },
      expiresAt: issuedAt + 3600,
    });
  });
});

describe('createTokenVerifier: refused before any crypto', () => {
  it.each([
    ['an empty string', ''],
    ['undefined', undefined],
    ['null', null],
  ])('answers TOKEN_MISSING for %s', async (_, token) => {
    await expect(verifier.verify(token as unknown as string)).rejects.toEqual(
      refused('TOKEN_MISSING', 'token is missing'),
    );
  });

  it('refuses a token longer than maxTokenBytes, even a validly signed one', async () => {
    const token = await rsa.mint({ padding: 'x'.repeat(600) });
    const small = createTokenVerifier([rsa.config], { now, maxTokenBytes: 512 });
    await expect(small.verify(token)).rejects.toEqual(refused('TOKEN_INVALID', 'token too large'));
  });

  it('refuses a token over the default 16 KiB limit', async () => {
    const token = await rsa.mint({ padding: 'x'.repeat(16_384) });
    await expect(verifier.verify(token)).rejects.toEqual(refused('TOKEN_INVALID', 'token too large'));
  });

  it.each([
    ['two segments', 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0'],
    ['four segments', 'a.b.c.d'],
    ['a JWE (five segments)', 'a.b.c.d.e'],
    ['an empty payload segment', 'eyJhbGciOiJSUzI1NiJ9..c2ln'],
    ['characters outside base64url', 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0=.c2ln'],
    ['garbage', '!!!.@@@.###'],
    ['surrounding whitespace', ' eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln'],
    ['a "Bearer " prefix left on', 'Bearer eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln'],
    ['a payload that is not JSON', `eyJhbGciOiJSUzI1NiJ9.${base64url('hello')}.c2ln`],
    ['a payload that is a JSON array', `eyJhbGciOiJSUzI1NiJ9.${base64url('["iss"]')}.c2ln`],
    ['a payload that is not UTF-8', `eyJhbGciOiJSUzI1NiJ9.${base64url(new Uint8Array([0xff, 0xfe, 0x7b]))}.c2ln`],
  ])('refuses %s as malformed', async (_, token) => {
    await expect(verifier.verify(token)).rejects.toEqual(refused('TOKEN_INVALID', 'token is malformed'));
  });

  it('refuses a token whose header is not JSON', async () => {
    const token = `${base64url('not json')}.${base64url(JSON.stringify({ iss: rsa.issuer }))}.c2ln`;
    await expect(verifier.verify(token)).rejects.toEqual(refused('TOKEN_INVALID', 'token is malformed'));
  });

  it.each([
    ['an unknown issuer', { iss: 'https://evil.example.com/' }],
    ['an issuer that differs by a trailing slash', { iss: 'https://idp.example.com' }],
    ['no issuer', {}],
    ['a non-string issuer', { iss: ['https://idp.example.com/'] }],
  ])('refuses %s', async (_, claims) => {
    const token = await rsa.mint(claims, { issuer: null });
    await expect(verifier.verify(token)).rejects.toEqual(refused('TOKEN_INVALID', 'token issuer is not accepted'));
  });
});

describe('createTokenVerifier: the JWT attack suite', () => {
  it('refuses an unsigned alg:none token (empty signature)', async () => {
    const token = unsignedToken({ alg: 'none', typ: 'JWT' }, { iss: rsa.issuer, aud: 'edgepass', exp: NOW + 60 });
    await expect(verifier.verify(token)).rejects.toEqual(refused('TOKEN_INVALID', 'token is malformed'));
  });

  it.each(['none', 'None', 'NONE', 'nOnE'])('refuses alg:%s with a made-up signature', async (alg) => {
    const token = unsignedToken({ alg }, { iss: rsa.issuer, aud: 'edgepass', exp: NOW + 60 }, 'c2lnbmF0dXJl');
    await expect(verifier.verify(token)).rejects.toEqual(refused('TOKEN_INVALID', 'token algorithm is not allowed'));
  });

  it('refuses an HS256 token signed with the RSA public key PEM as HMAC secret (key confusion)', async () => {
    const token = await rsa.mint({ sub: 'admin' }, { alg: 'HS256', key: new TextEncoder().encode(rsa.publicPem) });
    await expect(verifier.verify(token)).rejects.toEqual(refused('TOKEN_INVALID', 'token algorithm is not allowed'));
    const pemVerifier = createTokenVerifier([rsa.pemConfig()], { now });
    await expect(pemVerifier.verify(token)).rejects.toEqual(refused('TOKEN_INVALID', 'token algorithm is not allowed'));
  });

  it('refuses an HS256 token signed with the JWK JSON of the public key as HMAC secret', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(rsa.jwks.keys[0]));
    const token = await rsa.mint({ sub: 'admin' }, { alg: 'HS256', key: secret });
    await expect(verifier.verify(token)).rejects.toEqual(refused('TOKEN_INVALID', 'token algorithm is not allowed'));
  });

  it('refuses an RS256 token at a provider that allows only ES256', async () => {
    const token = await rsa.mint({}, { issuer: ec.issuer, kid: 'ec-1' });
    await expect(verifier.verify(token)).rejects.toEqual(refused('TOKEN_INVALID', 'token algorithm is not allowed'));
  });

  it('refuses a PS256 token at a provider that allows only RS256', async () => {
    const pss = await createTestIdentityProvider({ alg: 'PS256', kid: rsa.kid });
    await expect(verifier.verify(await pss.mint())).rejects.toEqual(
      refused('TOKEN_INVALID', 'token algorithm is not allowed'),
    );
  });

  it('refuses a token signed by another key that copies the issuer, audience and kid', async () => {
    const token = await impostor.mint({ sub: 'admin' });
    await expect(verifier.verify(token)).rejects.toEqual(refused('TOKEN_INVALID', 'token signature is invalid'));
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const [header, , signature] = (await rsa.mint({ sub: 'alice' })).split('.');
    const payload = base64url(JSON.stringify({ iss: rsa.issuer, aud: 'edgepass', exp: NOW + 3600, sub: 'admin' }));
    await expect(verifier.verify(`${header}.${payload}.${signature}`)).rejects.toEqual(
      refused('TOKEN_INVALID', 'token signature is invalid'),
    );
  });

  it('refuses a token whose signature was cut short', async () => {
    const token = await ec.mint();
    await expect(verifier.verify(token.slice(0, -4))).rejects.toEqual(
      refused('TOKEN_INVALID', 'token signature is invalid'),
    );
  });

  it('refuses a token for another audience', async () => {
    const token = await rsa.mint({}, { audience: 'billing-api' });
    await expect(verifier.verify(token)).rejects.toEqual(refused('TOKEN_INVALID', 'token audience is not accepted'));
  });

  it('refuses a token without aud', async () => {
    const token = await rsa.mint({}, { audience: null });
    await expect(verifier.verify(token)).rejects.toEqual(refused('TOKEN_INVALID', 'token is missing the aud claim'));
  });

  it('answers TOKEN_EXPIRED for a token that expired beyond the clock tolerance', async () => {
    const token = await rsa.mint({}, { expiresIn: -31 });
    await expect(verifier.verify(token)).rejects.toEqual(refused('TOKEN_EXPIRED', 'token has expired'));
  });

  it('answers TOKEN_EXPIRED at exactly exp when there is no clock tolerance', async () => {
    const strict = createTokenVerifier([{ ...rsa.config, clockToleranceSeconds: 0 }], { now });
    await expect(strict.verify(await rsa.mint({}, { expiresIn: 0 }))).rejects.toEqual(refused('TOKEN_EXPIRED'));
    await expect(strict.verify(await rsa.mint({ sub: 'alice' }, { expiresIn: 1 }))).resolves.toMatchObject({
      claims: { sub: 'alice', iss: rsa.issuer },
      expiresAt: NOW + 1,
    });
  });

  it('refuses a token whose nbf is in the future', async () => {
    const token = await rsa.mint({}, { notBefore: 300 });
    await expect(verifier.verify(token)).rejects.toEqual(refused('TOKEN_INVALID', 'token is not valid yet'));
  });

  it('refuses a token without exp, which would never expire', async () => {
    const token = await rsa.mint({}, { expiresIn: null });
    await expect(verifier.verify(token)).rejects.toEqual(refused('TOKEN_INVALID', 'token is missing the exp claim'));
  });

  it('refuses a token whose exp is not a number', async () => {
    const token = await rsa.mint({ exp: String(NOW + 3600) });
    await expect(verifier.verify(token)).rejects.toEqual(refused('TOKEN_INVALID', 'token exp claim is invalid'));
  });

  it('refuses a token with an unknown kid', async () => {
    const token = await rsa.mint({}, { kid: 'rotated-away' });
    await expect(verifier.verify(token)).rejects.toEqual(refused('TOKEN_INVALID', "no key for the token's kid"));
  });

  it('refuses a token without kid when several keys could verify it', async () => {
    const two = createTokenVerifier(
      [
        {
          ...rsa.config,
          jwks: { keys: [...rsa.jwks.keys, ...impostor.jwks.keys].map((k) => ({ ...k, kid: undefined })) },
        },
      ],
      { now },
    );
    await expect(two.verify(await rsa.mint({}, { kid: null }))).rejects.toEqual(
      refused('TOKEN_INVALID', 'several keys match the token; it needs a kid'),
    );
  });

  it('refuses a token with a crit header parameter it does not understand', async () => {
    const token = await rsa.mint(
      {},
      { header: { crit: ['urn:example:must-understand'], 'urn:example:must-understand': 1 } },
    );
    await expect(verifier.verify(token)).rejects.toEqual(refused('TOKEN_INVALID', 'token uses an unsupported feature'));
  });

  it('refuses a validly signed token with an unencoded payload (b64:false)', async () => {
    // The payload segment reads as claims to a decoder, but the signature covers those raw bytes.
    const claims = base64url(JSON.stringify({ iss: rsa.issuer, aud: 'edgepass', exp: NOW + 60 }));
    const jws = await new FlattenedSign(new TextEncoder().encode(claims))
      .setProtectedHeader({ alg: 'RS256', kid: rsa.kid, b64: false, crit: ['b64'] })
      .sign(rsa.privateKey);
    // jose leaves an unencoded payload out of the result (`payload: ''`): put the signed bytes back, or
    // the token would be refused for its empty payload segment before jose ever saw it.
    const token = `${jws.protected}.${claims}.${jws.signature}`;
    const error = await verifier.verify(token).catch((caught: unknown) => caught);
    expect(error).toEqual(refused('TOKEN_INVALID', 'token is malformed'));
    expect((error as Error).cause).toMatchObject({
      code: 'ERR_JWT_INVALID',
      message: 'JWTs MUST NOT use unencoded payload',
    });
  });

  it('refuses a token without a required claim', async () => {
    const strict = createTokenVerifier([{ ...rsa.config, requiredClaims: ['email', 'sub'] }], { now });
    await expect(strict.verify(await rsa.mint({ sub: 'alice' }))).rejects.toEqual(
      refused('TOKEN_INVALID', 'token is missing the email claim'),
    );
    await expect(strict.verify(await rsa.mint({ sub: 'alice', email: 'a@example.com' }))).resolves.toMatchObject({
      claims: { sub: 'alice', email: 'a@example.com', iss: rsa.issuer },
    });
  });

  describe('keys named in the token (jku, x5u, jwk) are ignored', () => {
    let attacker: JwksServer;
    beforeAll(async () => {
      attacker = await serveJwks(impostor.jwks);
    });
    afterAll(() => attacker.close());

    it('refuses an impostor token that points at its own key set, without fetching it', async () => {
      const token = await impostor.mint(
        { sub: 'admin' },
        { header: { jku: attacker.url, x5u: attacker.url, jwk: impostor.jwks.keys[0] } },
      );
      await expect(verifier.verify(token)).rejects.toEqual(refused('TOKEN_INVALID', 'token signature is invalid'));
      expect(attacker.hits()).toBe(0);
    });

    it('verifies a genuine token carrying jku with the configured keys only', async () => {
      const token = await rsa.mint({}, { header: { jku: attacker.url, x5u: attacker.url } });
      await expect(verifier.verify(token)).resolves.toMatchObject({ provider: 'corporate' });
      expect(attacker.hits()).toBe(0);
    });
  });

  it('keeps every failure message free of token content', async () => {
    const secretish = 'leak-me-please';
    const tokens = [
      await rsa.mint({ sub: secretish }, { audience: secretish }),
      await rsa.mint({ sub: secretish }, { kid: secretish }),
      await rsa.mint({}, { issuer: secretish }),
      await impostor.mint({ sub: secretish }),
    ];
    for (const token of tokens) {
      const error = await verifier.verify(token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EdgepassError);
      expect((error as Error).message).not.toContain(secretish);
    }
  });

  it('keeps the jose error as cause', async () => {
    const error = await verifier.verify(await impostor.mint()).catch((e: unknown) => e);
    expect((error as Error).cause).toMatchObject({ code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
  });
});

describe('createTokenVerifier: remote JWKS', () => {
  let server: JwksServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('fetches the key set once and reuses it across verifications', async () => {
    server = await serveJwks(rsa.jwks);
    const remote = createTokenVerifier([rsa.remoteConfig(server.url)], { now });
    for (const sub of ['a', 'b', 'c']) await remote.verify(await rsa.mint({ sub }));
    expect(server.hits()).toBe(1);
  });

  it('shares one fetch between concurrent first verifications', async () => {
    server = await serveJwks(rsa.jwks);
    const remote = createTokenVerifier([rsa.remoteConfig(server.url)], { now });
    const tokens = await Promise.all(['a', 'b', 'c', 'd'].map((sub) => rsa.mint({ sub })));
    await Promise.all(tokens.map((token) => remote.verify(token)));
    expect(server.hits()).toBe(1);
  });

  it('never fetches keys for a token of an unknown issuer', async () => {
    server = await serveJwks(rsa.jwks);
    const remote = createTokenVerifier([rsa.remoteConfig(server.url)], { now });
    await expect(remote.verify(await rsa.mint({}, { issuer: 'https://evil.example.com/' }))).rejects.toEqual(
      refused('TOKEN_INVALID', 'token issuer is not accepted'),
    );
    expect(server.hits()).toBe(0);
  });

  it('picks up a rotated key: refused during the cooldown without a refetch, accepted after it', async () => {
    const next = await createTestIdentityProvider({ kid: 'test-key-2' });
    server = await serveJwks(rsa.jwks);
    let clock = 0;
    const remote = createTokenVerifier([rsa.remoteConfig(server.url)], { now, cooldownMs: 300, jwksNow: () => clock });
    await remote.verify(await rsa.mint());
    server.setJwks({ keys: [...rsa.jwks.keys, ...next.jwks.keys] });
    const rotated = await next.mint({ sub: 'after-rotation' });

    await expect(remote.verify(rotated)).rejects.toEqual(refused('TOKEN_INVALID', "no key for the token's kid"));
    expect(server.hits()).toBe(1);

    clock += 299;
    await expect(remote.verify(rotated)).rejects.toEqual(refused('TOKEN_INVALID', "no key for the token's kid"));
    expect(server.hits()).toBe(1);
    clock += 1;
    await expect(remote.verify(rotated)).resolves.toMatchObject({ claims: { sub: 'after-rotation' } });
    await expect(remote.verify(await rsa.mint({ sub: 'alice' }))).resolves.toMatchObject({
      provider: 'corporate',
      claims: { sub: 'alice', iss: rsa.issuer },
    });
    expect(server.hits()).toBe(2);
  });

  it('still refuses a wrongly signed token after refetching the key set', async () => {
    server = await serveJwks(rsa.jwks);
    const remote = createTokenVerifier([rsa.remoteConfig(server.url)], { now, cooldownMs: 0 });
    await expect(remote.verify(await impostor.mint())).rejects.toEqual(
      refused('TOKEN_INVALID', 'token signature is invalid'),
    );
    await expect(remote.verify(await rsa.mint({}, { kid: 'unknown' }))).rejects.toEqual(
      refused('TOKEN_INVALID', "no key for the token's kid"),
    );
  });

  it('answers "identity provider keys unavailable" when the key server is down', async () => {
    const down = await serveJwks(rsa.jwks);
    await down.close();
    const remote = createTokenVerifier([rsa.remoteConfig(down.url)], { now });
    await expect(remote.verify(await rsa.mint())).rejects.toEqual(
      refused('IDP_UNAVAILABLE', 'identity provider keys unavailable'),
    );
  });

  it('answers "identity provider keys unavailable" for a non-200 answer, and verifies again after the back-off', async () => {
    server = await serveJwks(rsa.jwks);
    server.setStatus(503);
    let clock = 0;
    const remote = createTokenVerifier([rsa.remoteConfig(server.url)], { now, jwksNow: () => clock });
    await expect(remote.verify(await rsa.mint())).rejects.toEqual(
      refused('IDP_UNAVAILABLE', 'identity provider keys unavailable'),
    );
    server.setStatus(200);
    // Within the first back-off delay (1 s) the failure is answered again without a fetch.
    await expect(remote.verify(await rsa.mint())).rejects.toEqual(refused('IDP_UNAVAILABLE'));
    expect(server.hits()).toBe(1);
    clock += 1_000;
    await expect(remote.verify(await rsa.mint({ sub: 'alice' }))).resolves.toMatchObject({
      provider: 'corporate',
      claims: { sub: 'alice', iss: rsa.issuer },
    });
    expect(server.hits()).toBe(2);
  });

  it('refuses a key set endpoint that redirects, without following the redirect', async () => {
    server = await serveJwks(rsa.jwks);
    const target = server.url;
    const redirecting = createServer((_, response) => {
      response.writeHead(302, { location: target });
      response.end();
    });
    await new Promise<void>((listening) => redirecting.listen(0, '127.0.0.1', listening));
    try {
      const { port } = redirecting.address() as AddressInfo;
      const remote = createTokenVerifier([rsa.remoteConfig(`http://127.0.0.1:${port}/jwks.json`)], { now });
      const error = await remote.verify(await rsa.mint()).catch((caught: unknown) => caught);
      expect(error).toEqual(refused('IDP_UNAVAILABLE', 'identity provider keys unavailable'));
      expect(String((error as Error).cause)).toContain('HTTP 302');
      expect(server.hits()).toBe(0);
    } finally {
      redirecting.closeAllConnections();
      await new Promise((closed) => redirecting.close(closed));
    }
  });

  it('answers "identity provider keys unavailable" for an answer that is not a key set', async () => {
    server = await serveJwks({ hello: 'world' });
    const remote = createTokenVerifier([rsa.remoteConfig(server.url)], { now });
    await expect(remote.verify(await rsa.mint())).rejects.toEqual(
      refused('IDP_UNAVAILABLE', 'identity provider keys unavailable'),
    );
  });

  it('answers "identity provider keys unavailable" for a key set over 1 MiB', async () => {
    server = await serveJwks({ keys: rsa.jwks.keys, padding: 'x'.repeat(1024 * 1024) });
    const remote = createTokenVerifier([rsa.remoteConfig(server.url)], { now });
    const error = await remote.verify(await rsa.mint()).catch((caught: unknown) => caught);
    expect(error).toEqual(refused('IDP_UNAVAILABLE', 'identity provider keys unavailable'));
    expect(String((error as Error).cause)).toContain('larger than 1048576 bytes');
  });

  it('answers "identity provider keys unavailable" at fetchTimeoutMs when the key server is too slow', async () => {
    server = await serveJwks(rsa.jwks);
    // The server holds its answer until released: only the fetch deadline can end the call.
    server.setHeld(true);
    const remote = createTokenVerifier([rsa.remoteConfig(server.url)], { now, fetchTimeoutMs: 100 });
    const error = await remote.verify(await rsa.mint()).catch((caught: unknown) => caught);
    expect(error).toEqual(refused('IDP_UNAVAILABLE', 'identity provider keys unavailable'));
    expect(String((error as Error).cause)).toContain('no complete answer from the key set endpoint within 100 ms');
    expect(server.hits()).toBe(1);
    server.setHeld(false);
  });
});

describe('createTokenVerifier: HS256 development provider', () => {
  const secret = 'a-development-secret-of-32-bytes!';
  const dev = devHs256Provider();

  it('verifies a token signed with the secret from the environment', async () => {
    const hs = createTokenVerifier([dev], { now, env: { EDGEPASS_DEV_SECRET: secret } });
    const token = await rsa.mint(
      { sub: 'demo' },
      { alg: 'HS256', kid: null, issuer: dev.issuer, key: new TextEncoder().encode(secret) },
    );
    await expect(hs.verify(token)).resolves.toMatchObject({ provider: 'dev', claims: { sub: 'demo' } });
  });

  it('refuses a token signed with another secret', async () => {
    const hs = createTokenVerifier([dev], { now, env: { EDGEPASS_DEV_SECRET: secret } });
    const token = await rsa.mint(
      {},
      { alg: 'HS256', issuer: dev.issuer, key: new TextEncoder().encode(`${secret}-but-different`) },
    );
    await expect(hs.verify(token)).rejects.toEqual(refused('TOKEN_INVALID', 'token signature is invalid'));
  });

  it('refuses an RS256 token at the HS256 provider', async () => {
    const hs = createTokenVerifier([dev], { now, env: { EDGEPASS_DEV_SECRET: secret } });
    const token = await rsa.mint({}, { issuer: dev.issuer });
    await expect(hs.verify(token)).rejects.toEqual(refused('TOKEN_INVALID', 'token algorithm is not allowed'));
  });

  it('refuses to start without the secret, naming the provider and the variable', () => {
    const error = thrownEdgepassError(() => createTokenVerifier([dev], { env: {} }));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toBe('identity provider "dev": environment variable EDGEPASS_DEV_SECRET is not set');
  });

  it('refuses to start with a secret shorter than 32 bytes', () => {
    const error = thrownEdgepassError(() =>
      createTokenVerifier([dev], { env: { EDGEPASS_DEV_SECRET: 'x'.repeat(31) } }),
    );
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toMatch(/"dev".*EDGEPASS_DEV_SECRET must hold at least 32 bytes/);
  });

  it('reads process.env by default', async () => {
    const name = 'EDGEPASS_TEST_HS256_SECRET';
    process.env[name] = secret;
    try {
      const hs = createTokenVerifier([{ ...dev, hs256SecretEnv: name }], { now });
      const token = await rsa.mint(
        { sub: 'demo' },
        { alg: 'HS256', issuer: dev.issuer, key: new TextEncoder().encode(secret) },
      );
      await expect(hs.verify(token)).resolves.toMatchObject({
        provider: 'dev',
        claims: { sub: 'demo', iss: dev.issuer },
      });
    } finally {
      delete process.env[name];
    }
  });
});

describe('createTokenVerifier: configuration checked at creation', () => {
  it('refuses two providers with the same issuer', () => {
    const error = thrownEdgepassError(() => createTokenVerifier([rsa.config, { ...impostor.config, name: 'twin' }]));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toMatch(/"twin": issuer "https:\/\/idp\.example\.com\/" is already used/);
  });

  it('refuses a PEM key that cannot verify the allowed algorithms', () => {
    const error = thrownEdgepassError(() => createTokenVerifier([{ ...rsa.pemConfig(), algorithms: ['ES256'] }]));
    expect(error).toMatchObject({
      code: 'INVALID_CONFIG',
      message: 'identity provider "corporate": publicKey (rsa) cannot verify ES256 tokens',
    });
  });

  it('matches every algorithm family to the PEM key type that can verify it', () => {
    const pemOf = (key: { export(o: object): string | Buffer }) =>
      key.export({ type: 'spki', format: 'pem' }).toString();
    const pss = pemOf(generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).publicKey);
    const ed = pemOf(generateKeyPairSync('ed25519').publicKey);
    const p384 = pemOf(generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey);
    const accepted: [string, IdentityProviderConfig['algorithms']][] = [
      [pss, ['PS256']],
      [ed, ['EdDSA']],
      [p384, ['ES384']],
    ];
    for (const [publicKey, algorithms] of accepted) {
      expect(() => createTokenVerifier([{ ...rsa.pemConfig(), publicKey, algorithms }]), algorithms[0]).not.toThrow();
    }
    const refused: [string, IdentityProviderConfig['algorithms'], string][] = [
      [pss, ['RS256'], 'publicKey (rsa-pss) cannot verify RS256 tokens'],
      [p384, ['ES256'], 'publicKey (ec) cannot verify ES256 tokens'],
      [ed, ['ES256'], 'publicKey (ed25519) cannot verify ES256 tokens'],
      [p384, ['EdDSA'], 'publicKey (ec) cannot verify EdDSA tokens'],
      [ed, ['RS256'], 'publicKey (ed25519) cannot verify RS256 tokens'],
    ];
    for (const [publicKey, algorithms, message] of refused) {
      expect(
        thrownEdgepassError(() => createTokenVerifier([{ ...rsa.pemConfig(), publicKey, algorithms }])),
      ).toMatchObject({
        code: 'INVALID_CONFIG',
        message: `identity provider "corporate": ${message}`,
      });
    }
  });

  it('fails closed on a clock that is not a number', async () => {
    const broken = createTokenVerifier([rsa.config], { now: () => Number.NaN });
    await expect(broken.verify(await rsa.mint({}))).rejects.toMatchObject({
      code: 'INTERNAL',
      message: 'clock unavailable',
    });
  });

  it('refuses an RSA key shorter than 2048 bits', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const error = thrownEdgepassError(() => createTokenVerifier([{ ...rsa.pemConfig(), publicKey: pem }]));
    expect(error.code).toBe('INVALID_CONFIG');
  });

  it('refuses a PEM that is not a key', () => {
    const pem = '-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n';
    const error = thrownEdgepassError(() => createTokenVerifier([{ ...rsa.pemConfig(), publicKey: pem }]));
    expect(error).toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringMatching(/"corporate": publicKey is not/),
    });
  });

  it('refuses a static key set that holds a private key', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const jwk = privateKey.export({ format: 'jwk' }) as Record<string, unknown>;
    const error = thrownEdgepassError(() => createTokenVerifier([{ ...ec.config, jwks: { keys: [jwk] } }]));
    expect(error).toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringMatching(/jwks\.keys\.0 is not a public key/),
    });
  });

  it('refuses a static key set with a symmetric key', () => {
    const error = thrownEdgepassError(() =>
      createTokenVerifier([{ ...ec.config, jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }]),
    );
    expect(error.code).toBe('INVALID_CONFIG');
  });

  it('refuses a static key that cannot be read', () => {
    const error = thrownEdgepassError(() =>
      createTokenVerifier([{ ...ec.config, jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }] } }]),
    );
    expect(error).toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringMatching(/jwks\.keys\.0 is not a usable/),
    });
  });

  it('accepts no providers at all and then refuses every token', async () => {
    await expect(createTokenVerifier([]).verify(await rsa.mint())).rejects.toEqual(refused('TOKEN_INVALID'));
  });
});
