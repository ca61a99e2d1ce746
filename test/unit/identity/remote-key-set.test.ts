import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KeySetEvent } from '../../../shared/identity/remote-key-set';
import { createTokenVerifier, type RefreshingTokenVerifier } from '../../../shared/identity/token-verifier';
import {
  createTestIdentityProvider,
  type JwksServer,
  serveJwks,
  type TestIdentityProvider,
} from '../../fixtures/identity-provider';
import { NOW } from '../../fixtures/keys';

/**
 * The outside review's finding F4: jose's remote key set had no back-off and no stale keys, so an
 * identity provider's outage made every login wait for a fetch of its own and, once the cached set
 * was 10 minutes old, fail although its keys were in memory; forged tokens with unknown `kid`s each
 * bought a fetch. Here a real JWKS server on 127.0.0.1 goes from healthy to silent, failing (500) or
 * dripping, real RS256 and ES256 tokens are verified, and the key set's clock is driven by hand, so
 * every figure below is a number of fetches the server saw, never a duration.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/**
 * Short fetch deadline for these tests (the Lambda's is 3 s): a silent or dripping server costs this. At
 * 300 ms a healthy local fetch missed it once on a loaded 2-core machine; a dripping answer (a byte every
 * 50 ms) still takes several seconds.
 */
const DEADLINE_MS = 1000;

let rs: TestIdentityProvider;
let es: TestIdentityProvider;
/** Same issuer as `es`, another key, and a kid the provider never published: anyone can mint these. */
let forger: TestIdentityProvider;

beforeAll(async () => {
  [rs, es, forger] = await Promise.all([
    createTestIdentityProvider({ alg: 'RS256', kid: 'rs-1' }),
    createTestIdentityProvider({ alg: 'ES256', kid: 'es-1', issuer: 'https://es.example.com/' }),
    createTestIdentityProvider({ alg: 'ES256', kid: 'es-1', issuer: 'https://es.example.com/' }),
  ]);
});

const servers: JwksServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

interface Setup {
  readonly server: JwksServer;
  readonly verifier: RefreshingTokenVerifier;
  readonly events: KeySetEvent[];
  /** The key set's clock, in ms; tokens are checked against the pinned `NOW`. */
  readonly clock: { ms: number };
}

/** A verifier for `idp` whose keys come from a real JWKS server, with a hand-driven key set clock. */
async function setup(
  idp: TestIdentityProvider,
  options: Parameters<typeof createTokenVerifier>[1] = {},
): Promise<Setup> {
  const server = await serveJwks(idp.jwks);
  servers.push(server);
  const clock = { ms: 1_795_867_200_000 };
  const events: KeySetEvent[] = [];
  const verifier = createTokenVerifier([idp.remoteConfig(server.url)], {
    now: () => NOW,
    fetchTimeoutMs: DEADLINE_MS,
    jwksNow: () => clock.ms,
    onKeySetEvent: (event) => events.push(event),
    ...options,
  });
  return { server, verifier, events, clock };
}

/** How each kind of outage is switched on. */
const OUTAGES: readonly (readonly [string, (server: JwksServer) => void])[] = [
  ['silent (answers after a minute)', (server) => server.setDelay(60_000)],
  ['failing with 500', (server) => server.setStatus(500)],
  ['dripping its answer a byte every 50 ms', (server) => server.setDrip(50)],
];

/** Whether `promise` settles (either way); resolves to what it did. */
const outcome = (promise: Promise<unknown>): Promise<'verified' | string> =>
  promise.then(
    () => 'verified',
    (error: { code?: string }) => error.code ?? 'error',
  );

describe('remote JWKS through an identity provider outage: stale-while-revalidate', () => {
  it.each(OUTAGES)(
    'keeps verifying known kids with the last good set when the provider is %s, with one fetch per back-off delay',
    async (_, outage) => {
      const { server, verifier, events, clock } = await setup(es);
      await verifier.verify(await es.mint({ sub: 'before' }));
      expect(server.hits()).toBe(1);

      outage(server);
      clock.ms += 11 * MINUTE; // past the 10 minutes after which the set is refreshed
      await expect(outcome(verifier.verify(await es.mint({ sub: 'during' })))).resolves.toBe('verified');
      await verifier.settled();
      expect(server.hits()).toBe(2);
      expect(events).toEqual([
        expect.objectContaining({
          level: 'warn',
          provider: 'test-idp',
          message: expect.stringMatching(
            /cannot fetch its key set from http:\/\/127\.0\.0\.1:\d+\/\.well-known\/jwks\.json; still verifying with the set fetched 11 min ago, for at most 24 h more; next try in 1 s/,
          ),
        }),
      ]);

      // Fifty more logins within the back-off delay: all verified, not one more fetch.
      const answers = await Promise.all(
        Array.from({ length: 50 }, async (_, i) => outcome(verifier.verify(await es.mint({ sub: `u${i}` })))),
      );
      expect(new Set(answers)).toEqual(new Set(['verified']));
      expect(server.hits()).toBe(2);
    },
  );

  it('answers a known kid from the stale set while the refresh it started is still waiting for the provider', async () => {
    const { server, verifier, events, clock } = await setup(es, { fetchTimeoutMs: 60_000 });
    await verifier.verify(await es.mint());
    server.setHeld(true);
    server.setStatus(500);
    clock.ms += 11 * MINUTE;

    await expect(outcome(verifier.verify(await es.mint()))).resolves.toBe('verified');
    // The server holds the refresh's answer, so the verification cannot have waited for it.
    expect(events).toEqual([]);

    server.setHeld(false);
    await verifier.settled();
    expect(server.hits()).toBe(2);
    expect(events).toEqual([
      expect.objectContaining({ level: 'warn', cause: 'the key set endpoint answered HTTP 500, not 200' }),
    ]);
  });

  it('verifies RS256 tokens from the stale set until it is 24 h old, then fails closed with IDP_UNAVAILABLE', async () => {
    const { server, verifier, events, clock } = await setup(rs);
    const fetchedAt = clock.ms;
    await verifier.verify(await rs.mint());
    server.setStatus(500);

    clock.ms = fetchedAt + 24 * HOUR - 1;
    await expect(outcome(verifier.verify(await rs.mint()))).resolves.toBe('verified');
    await verifier.settled();

    expect(server.hits()).toBe(2);

    // 24 h: within the back-off of that refresh, refused without a fetch; after it, refused after one.
    clock.ms = fetchedAt + 24 * HOUR;
    await expect(verifier.verify(await rs.mint())).rejects.toMatchObject({
      code: 'IDP_UNAVAILABLE',
      message: 'identity provider keys unavailable',
    });
    expect(server.hits()).toBe(2);
    clock.ms += 1_000;
    await expect(verifier.verify(await rs.mint())).rejects.toMatchObject({ code: 'IDP_UNAVAILABLE' });
    expect(server.hits()).toBe(3);
    expect(events.at(-1)).toMatchObject({
      level: 'error',
      message: expect.stringContaining(
        'the last one is 24 h old, past the 24 h it may be used, so its tokens are refused',
      ),
    });
  });

  it('takes a shorter maximum staleness when given one (jwksMaxStaleMs)', async () => {
    const { server, verifier, clock } = await setup(es, { jwksMaxStaleMs: 15 * MINUTE });
    await verifier.verify(await es.mint());
    server.setStatus(500);
    clock.ms += 15 * MINUTE;
    await expect(verifier.verify(await es.mint())).rejects.toMatchObject({ code: 'IDP_UNAVAILABLE' });
  });

  it('serves the new set as soon as a refresh succeeds, and the provider is then asked again only after 10 min', async () => {
    const rotated = await createTestIdentityProvider({ alg: 'ES256', kid: 'es-2', issuer: es.issuer });
    const { server, verifier, events, clock } = await setup(es);
    await verifier.verify(await es.mint());
    server.setStatus(500);
    clock.ms += 11 * MINUTE;
    await verifier.verify(await es.mint());
    await verifier.settled();

    server.setStatus(200);
    server.setJwks({ keys: [...es.jwks.keys, ...rotated.jwks.keys] });
    clock.ms += 1_000; // the first back-off delay
    await verifier.verify(await es.mint());
    await verifier.settled();
    expect(server.hits()).toBe(3);
    expect(events.at(-1)).toMatchObject({
      level: 'info',
      message: expect.stringContaining('again after 1 failed fetch'),
    });

    await expect(outcome(verifier.verify(await rotated.mint()))).resolves.toBe('verified');
    clock.ms += 10 * MINUTE - 1;
    await verifier.verify(await es.mint());
    await verifier.settled();
    expect(server.hits()).toBe(3);
  });
});

describe('remote JWKS through an identity provider outage: back-off', () => {
  it('makes at most ⌈elapsed / back-off⌉ fetches for a request a second during a 5-minute outage', async () => {
    const backoffMs = 30_000;
    const { server, verifier, clock } = await setup(es, { jwksMinBackoffMs: backoffMs, jwksMaxBackoffMs: backoffMs });
    await verifier.verify(await es.mint());
    server.setStatus(500);
    clock.ms += 11 * MINUTE;

    const elapsedMs = 5 * MINUTE;
    const token = await es.mint();
    const answers = new Set<string>();
    for (let t = 0; t < elapsedMs; t += 1_000) {
      answers.add(await outcome(verifier.verify(token)));
      await verifier.settled();
      clock.ms += 1_000;
    }

    expect(answers).toEqual(new Set(['verified']));
    // Every fetch after the first one (the cold start) was caused by the outage.
    expect(server.hits() - 1).toBe(Math.ceil(elapsedMs / backoffMs));
  });

  it('with no usable set, waits 1 s after a failure, doubling to 30 s, and answers IDP_UNAVAILABLE meanwhile without a fetch', async () => {
    const { server, verifier, clock } = await setup(rs);
    server.setStatus(500);
    const start = clock.ms;
    const token = await rs.mint();
    const fetchedAt: number[] = [];
    const answers = new Set<string>();
    for (let t = 0; t < 2 * MINUTE; t += 100) {
      const before = server.hits();
      answers.add(await outcome(verifier.verify(token)));
      if (server.hits() > before) fetchedAt.push(clock.ms - start);
      clock.ms += 100;
    }

    expect(answers).toEqual(new Set(['IDP_UNAVAILABLE']));
    expect(fetchedAt).toEqual([0, 1_000, 3_000, 7_000, 15_000, 31_000, 61_000, 91_000]);

    // A success resets the delay: the next failure is followed by 1 s again.
    server.setStatus(200);
    clock.ms = start + 121_000;
    await expect(outcome(verifier.verify(token))).resolves.toBe('verified');
    server.setStatus(500);
    clock.ms += 24 * HOUR;
    await expect(outcome(verifier.verify(token))).resolves.toBe('IDP_UNAVAILABLE');
    const hits = server.hits();
    clock.ms += 999;
    await expect(outcome(verifier.verify(token))).resolves.toBe('IDP_UNAVAILABLE');
    expect(server.hits()).toBe(hits);
    clock.ms += 1;
    await expect(outcome(verifier.verify(token))).resolves.toBe('IDP_UNAVAILABLE');
    expect(server.hits()).toBe(hits + 1);
  });

  it('fetches once for concurrent requests, at a cold start, for a refresh and past the maximum staleness', async () => {
    const { server, verifier, clock } = await setup(es);
    server.setDelay(100);
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => es.mint({ sub: `u${i}` })));
    const all = () => Promise.all(tokens.map((token) => outcome(verifier.verify(token))));

    expect(new Set(await all())).toEqual(new Set(['verified']));
    expect(server.hits()).toBe(1);

    clock.ms += 11 * MINUTE;
    expect(new Set(await all())).toEqual(new Set(['verified']));
    await verifier.settled();
    expect(server.hits()).toBe(2);

    clock.ms += 25 * HOUR;
    expect(new Set(await all())).toEqual(new Set(['verified']));
    expect(server.hits()).toBe(3);
  });
});

describe('remote JWKS through an identity provider outage: unknown kids', () => {
  it('refetches for forged unknown kids at most once per 30 s, whatever the fetches answer, while known kids verify', async () => {
    const { server, verifier, clock } = await setup(es);
    await verifier.verify(await es.mint());
    server.setStatus(500);

    const elapsedMs = 5 * MINUTE;
    const known = await es.mint();
    const forged = new Set<string>();
    const genuine = new Set<string>();
    for (let t = 0; t < elapsedMs; t += 1_000) {
      const token = await forger.mint({ sub: 'mallory' }, { kid: `forged-${t}` });
      forged.add(await outcome(verifier.verify(token)));
      genuine.add(await outcome(verifier.verify(known)));
      clock.ms += 1_000;
    }

    // The set is fresh for 10 minutes, so every fetch here was bought by a forged kid.
    expect(server.hits() - 1).toBeLessThanOrEqual(Math.ceil(elapsedMs / 30_000));
    expect(server.hits() - 1).toBeGreaterThan(0);
    expect(forged).toEqual(new Set(['TOKEN_INVALID', 'IDP_UNAVAILABLE']));
    expect(genuine).toEqual(new Set(['verified']));
  });

  it('counts the cooldown from the last fetch of any kind, so a refresh and a forged kid cannot add up', async () => {
    const { server, verifier, clock } = await setup(es);
    await verifier.verify(await es.mint());
    clock.ms += 11 * MINUTE;
    await verifier.verify(await es.mint()); // starts a background refresh (healthy)
    await verifier.settled();
    expect(server.hits()).toBe(2);

    clock.ms += 29_999;
    await expect(outcome(verifier.verify(await forger.mint({}, { kid: 'new' })))).resolves.toBe('TOKEN_INVALID');
    expect(server.hits()).toBe(2);
    clock.ms += 1;
    await expect(outcome(verifier.verify(await forger.mint({}, { kid: 'new' })))).resolves.toBe('TOKEN_INVALID');
    expect(server.hits()).toBe(3);
  });

  it('still finds a key the provider has just rotated in, once the cooldown allows a refetch', async () => {
    const rotated = await createTestIdentityProvider({ alg: 'ES256', kid: 'es-2', issuer: es.issuer });
    const { server, verifier, clock } = await setup(es);
    await verifier.verify(await es.mint());
    server.setJwks({ keys: [...es.jwks.keys, ...rotated.jwks.keys] });

    clock.ms += 30_000;
    await expect(outcome(verifier.verify(await rotated.mint()))).resolves.toBe('verified');
    expect(server.hits()).toBe(2);
  });
});
