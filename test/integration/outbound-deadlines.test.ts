import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLoginHandler } from '../../functions/login/create-handler';
import { createSignHandler } from '../../functions/sign/create-handler';
import type { HttpResult } from '../../shared/regional/http-api';
import { type JwksServer, serveJwks } from '../fixtures/identity-provider';
import { httpApiEvent, type RegionalFixture, SECRET_ID, startRegionalFixture } from '../fixtures/regional';

// Real time, real sockets: the local Secrets Manager and JWKS servers misbehave on purpose, the real
// SDK client (with the Lambda's own attempts and timeouts) and jose talk to them. These tests prove
// "answers, never hangs": the bounds are generous multiples of the short deadlines used here, and far
// below how long the stand-ins would keep a caller waiting.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** The Secrets Manager deadline these tests configure (the Lambda's default is 3 s). */
const SECRETS_DEADLINE_MS = 300;
/** The JWKS deadline these tests configure (the Lambda's default is 3 s). */
const JWKS_DEADLINE_MS = 1_000;
/** A JWKS this slow is slow but within its deadline. */
const JWKS_DELAY_MS = 400;
/** Slack for a loaded machine; an answer later than deadline + slack counts as a hang. */
const SLACK_MS = 2_500;
/** One byte every 20 ms: the ~2 KB answer takes over 40 s. */
const DRIP_EVERY_MS = 20;

let fx: RegionalFixture;
let token: string;
let jwks: JwksServer;

beforeAll(async () => {
  fx = await startRegionalFixture();
  token = await fx.idp.mint({ sub: 'ada', groups: ['premium'] });
  jwks = await serveJwks(fx.idp.jwks);
});
afterEach(() => fx.sm.clearFaults());
afterAll(async () => {
  await jwks.close();
  await fx.close();
});

/** The handler's answer and how long it took, or `'still pending'` once `boundMs` has passed. */
async function answerWithin(
  boundMs: number,
  work: Promise<HttpResult>,
): Promise<{ result: HttpResult; ms: number } | 'still pending'> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<'still pending'>((resolve) => {
    timer = setTimeout(() => resolve('still pending'), boundMs);
  });
  try {
    return await Promise.race([work.then((result) => ({ result, ms: performance.now() - started })), bound]);
  } finally {
    clearTimeout(timer);
  }
}

const loginEvent = () =>
  httpApiEvent({
    path: '/auth/login',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  });
const signEvent = () =>
  httpApiEvent({
    path: '/api/sign',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ paths: ['/videos/a.mp4'] }),
  });

const errorCode = (result: HttpResult): unknown =>
  (JSON.parse(result.body) as { error?: { code?: unknown } }).error?.code;

/** Dependencies as the Lambda builds them (its Secrets Manager client), with a short deadline and a clock. */
function lambdaDependencies(clock: () => number = Date.now) {
  return fx.dependencies({}, { keys: { client: fx.runtimeClient(), deadlineMs: SECRETS_DEADLINE_MS, now: clock } });
}

describe('a Secrets Manager that sends its headers, then drips the body', () => {
  it('makes login answer 503 SIGNING_KEY_UNAVAILABLE within the deadline when no key is cached', async () => {
    const deps = lambdaDependencies();
    fx.sm.failNext({ drip: DRIP_EVERY_MS }, 10);

    const answer = await answerWithin(SECRETS_DEADLINE_MS + SLACK_MS, createLoginHandler(deps)(loginEvent()));

    expect(answer).not.toBe('still pending');
    if (answer === 'still pending') return;
    expect(answer.result.statusCode).toBe(503);
    expect(errorCode(answer.result)).toBe('SIGNING_KEY_UNAVAILABLE');
    expect(deps.telemetry.logs).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: expect.stringMatching(`^Secrets Manager unavailable: reading secret ${SECRET_ID} timed out`),
      }),
    );
  });

  it('makes sign answer 503 SIGNING_KEY_UNAVAILABLE within the deadline when no key is cached', async () => {
    const deps = lambdaDependencies();
    fx.sm.failNext({ drip: DRIP_EVERY_MS }, 10);

    const answer = await answerWithin(SECRETS_DEADLINE_MS + SLACK_MS, createSignHandler(deps)(signEvent()));

    expect(answer).not.toBe('still pending');
    if (answer === 'still pending') return;
    expect(answer.result.statusCode).toBe(503);
    expect(errorCode(answer.result)).toBe('SIGNING_KEY_UNAVAILABLE');
  });

  it('lets a warm instance whose cache expired answer 200 from the cached key at once', async () => {
    let clock = Date.now();
    const deps = lambdaDependencies(() => clock);
    const login = createLoginHandler(deps);
    expect((await login(loginEvent())).statusCode).toBe(200);

    clock += 6 * 60_000;
    fx.sm.failNext({ drip: DRIP_EVERY_MS }, 10);
    const answer = await answerWithin(SECRETS_DEADLINE_MS + SLACK_MS, login(loginEvent()));

    expect(answer).not.toBe('still pending');
    if (answer === 'still pending') return;
    expect(answer.result.statusCode).toBe(200);
    // Six new cookies (two grants), after the deletions of the Paths login can set but did not.
    expect(answer.result.cookies?.filter((line) => !line.includes('; Max-Age=0; '))).toHaveLength(6);
    // The refresh behind it gives up at its own deadline and says so once.
    await deps.keys.settled();
    expect(deps.telemetry.logs.filter((line) => line.level === 'warn')).toEqual([
      expect.objectContaining({ message: expect.stringContaining('timed out') }),
    ]);
  });
});

describe('a Secrets Manager that accepts the connection and never answers', () => {
  it('makes login answer 503 SIGNING_KEY_UNAVAILABLE within the deadline, retries included', async () => {
    const deps = lambdaDependencies();
    fx.sm.failNext('silent', 10);

    const answer = await answerWithin(SECRETS_DEADLINE_MS + SLACK_MS, createLoginHandler(deps)(loginEvent()));

    expect(answer).not.toBe('still pending');
    if (answer === 'still pending') return;
    expect(answer.result.statusCode).toBe(503);
    expect(errorCode(answer.result)).toBe('SIGNING_KEY_UNAVAILABLE');
  });
});

describe('a slow JWKS and a hanging Secrets Manager in one request', () => {
  it('answer within the sum of their deadlines', async () => {
    jwks.setDelay(JWKS_DELAY_MS);
    const deps = fx.dependencies(
      { identityProviders: [fx.idp.remoteConfig(jwks.url)] },
      {
        tokens: { fetchTimeoutMs: JWKS_DEADLINE_MS },
        keys: { client: fx.runtimeClient(), deadlineMs: SECRETS_DEADLINE_MS },
      },
    );
    fx.sm.failNext('silent', 10);

    const answer = await answerWithin(
      JWKS_DEADLINE_MS + SECRETS_DEADLINE_MS + SLACK_MS,
      createLoginHandler(deps)(loginEvent()),
    );

    expect(answer).not.toBe('still pending');
    if (answer === 'still pending') return;
    // The JWKS answered (slowly) and the token was verified; the key is what failed.
    expect(answer.result.statusCode).toBe(503);
    expect(errorCode(answer.result)).toBe('SIGNING_KEY_UNAVAILABLE');
    expect(answer.ms).toBeGreaterThanOrEqual(JWKS_DELAY_MS);
    jwks.setDelay(0);
  });

  it('refuse with 503 IDP_UNAVAILABLE within the deadline a JWKS whose body drips', async () => {
    const dripping = await serveJwks(fx.idp.jwks);
    dripping.setDrip(DRIP_EVERY_MS);
    try {
      const deps = fx.dependencies(
        { identityProviders: [fx.idp.remoteConfig(dripping.url)] },
        { tokens: { fetchTimeoutMs: JWKS_DEADLINE_MS } },
      );
      const answer = await answerWithin(JWKS_DEADLINE_MS + SLACK_MS, createLoginHandler(deps)(loginEvent()));

      expect(answer).not.toBe('still pending');
      if (answer === 'still pending') return;
      expect(answer.result.statusCode).toBe(503);
      expect(errorCode(answer.result)).toBe('IDP_UNAVAILABLE');
    } finally {
      await dripping.close();
    }
  });
});

describe('a JWKS that goes silent after the keys were fetched', () => {
  it('keeps login answering 200 from the cached keys, with one refresh per back-off delay', async () => {
    const silent = await serveJwks(fx.idp.jwks);
    try {
      let clock = Date.now();
      const deps = fx.dependencies(
        { identityProviders: [fx.idp.remoteConfig(silent.url)] },
        { tokens: { fetchTimeoutMs: JWKS_DEADLINE_MS, jwksNow: () => clock } },
      );
      const login = createLoginHandler(deps);
      expect((await login(loginEvent())).statusCode).toBe(200);

      silent.setDelay(60_000);
      clock += 11 * 60_000;
      const statuses: number[] = [];
      for (let i = 0; i < 10; i += 1) statuses.push((await login(loginEvent())).statusCode);
      await deps.tokens.settled();

      expect(statuses).toEqual(Array(10).fill(200));
      expect(silent.hits()).toBe(2);
      expect(deps.telemetry.logs).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          message: expect.stringContaining('still verifying with the set fetched 11 min ago'),
          fields: expect.objectContaining({ provider: 'test-idp' }),
        }),
      );
    } finally {
      await silent.close();
    }
  });
});
