import { generateKeyPairSync, type KeyObject, verify } from 'node:crypto';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cannedPolicy, decodeCloudFrontBase64, EdgepassError, signPolicy } from '../../../shared';
import {
  createSecretsManagerKeySource,
  parseSigningSecret,
  type SecretsManagerKeySourceOptions,
  type SigningKeySourceEvent,
  type SigningMaterial,
} from '../../../shared/regional/signing-key-source';
import { ecKeyPair, rsaKeyPair } from '../../fixtures/keys';
import { type LocalSecretsManager, type SecretValue, startSecretsManager } from '../../fixtures/secrets-manager-server';

// The real SDK client talks to a local Secrets Manager over HTTP: nothing in-process is mocked.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const SECRET = 'edgepass/signing-key';
const T0 = 1_795_867_200_000;
const TTL = 5 * 60_000;
const MAX_STALE = 60 * 60_000;
// Short, for the silent-server cases; 250 ms once cut a healthy local answer short on a loaded machine.
const REQUEST_TIMEOUT_MS = 1000;

const rsa = rsaKeyPair();
const ec = ecKeyPair();
const pem = (key: KeyObject): string => key.export({ type: 'pkcs8', format: 'pem' }).toString();
const rsa1024 = pem(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey);
const ed25519 = pem(generateKeyPairSync('ed25519').privateKey);
const encrypted = rsa.privateKey
  .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'hunter2' })
  .toString();

const secretText = (keyPairId: string, privateKey: string): string => JSON.stringify({ keyPairId, privateKey });
/** A line from the middle of a PEM: if it shows up in a log or an error, the key leaked. */
const keyBytesOf = (privatePem: string): string => privatePem.split('\n')[2] ?? privatePem;

let sm: LocalSecretsManager;
const clients: SecretsManagerClient[] = [];

beforeEach(async () => {
  sm = await startSecretsManager();
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await sm.close();
});

/** The settings a Lambda (or `serverless invoke local`) uses to reach a local endpoint. */
function clientFor(options: { maxAttempts?: number } = {}): SecretsManagerClient {
  const client = new SecretsManagerClient({
    endpoint: sm.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: options.maxAttempts ?? 1,
    // Without throwOnRequestTimeout the SDK only logs a warning and keeps waiting.
    requestHandler: { requestTimeout: REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
  });
  clients.push(client);
  return client;
}

function keySource(overrides: Partial<SecretsManagerKeySourceOptions> = {}) {
  const events: SigningKeySourceEvent[] = [];
  let clock = T0;
  const source = createSecretsManagerKeySource({
    secretId: SECRET,
    client: clientFor(),
    ttlMs: TTL,
    maxStaleMs: MAX_STALE,
    now: () => clock,
    onEvent: (event) => events.push(event),
    ...overrides,
  });
  return {
    source,
    events,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

function expectSignsFor(material: SigningMaterial, publicKey: KeyObject): void {
  const policy = cannedPolicy('https://cdn.example.com/videos/a.mp4', 2_000_000_000);
  const signature = decodeCloudFrontBase64(signPolicy(policy, material.key));
  expect(signature).toBeDefined();
  expect(verify('sha1', Buffer.from(policy), publicKey, signature ?? Buffer.alloc(0))).toBe(true);
}

async function rejection(promise: Promise<unknown>): Promise<EdgepassError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(EdgepassError);
  return error as EdgepassError;
}

function expectAllCallsWellFormed(): void {
  for (const call of sm.calls()) {
    expect(call.protocolError).toBeUndefined();
    expect(call.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=test\/\d{8}\/us-east-1\/secretsmanager\//);
    expect(call.body).toEqual({ SecretId: SECRET });
  }
}

describe('createSecretsManagerKeySource', () => {
  it('loads the key pair id, a key that signs and the version from the secret', async () => {
    const versionId = sm.put(SECRET, secretText('K2JCJMDEHXQW5F', rsa.privatePem));
    const { source, events } = keySource();

    const material = await source.get();

    expect(material).toMatchObject({ keyPairId: 'K2JCJMDEHXQW5F', versionId, key: { type: 'rsa' } });
    expectSignsFor(material, rsa.publicKey);
    expect(sm.calls('GetSecretValue')).toHaveLength(1);
    expectAllCallsWellFormed();
    expect(events).toEqual([
      {
        level: 'info',
        secretId: SECRET,
        message: `loaded signing key K2JCJMDEHXQW5F from secret ${SECRET} (version ${versionId})`,
      },
    ]);
  });

  it('loads an ECDSA P-256 key stored as SEC1 ("EC PRIVATE KEY") PEM', async () => {
    const sec1 = ec.privateKey.export({ type: 'sec1', format: 'pem' }).toString();
    sm.put(SECRET, secretText('KEC', sec1));
    const material = await keySource().source.get();
    expect(material.key.type).toBe('ecdsa');
    expectSignsFor(material, ec.publicKey);
  });

  it('answers every get within ttlMs from memory, with one Secrets Manager call', async () => {
    sm.put(SECRET, secretText('K1', rsa.privatePem));
    const { source, advance } = keySource();

    const first = await source.get();
    for (let i = 0; i < 20; i += 1) {
      advance((TTL - 1) / 20);
      expect(await source.get()).toBe(first);
    }
    expect(sm.calls('GetSecretValue')).toHaveLength(1);
  });

  it('shares one Secrets Manager call among concurrent cold-start gets', async () => {
    sm.put(SECRET, secretText('K1', rsa.privatePem));
    const { source } = keySource();

    const all = await Promise.all(Array.from({ length: 10 }, () => source.get()));

    expect(new Set(all).size).toBe(1);
    expect(sm.calls('GetSecretValue')).toHaveLength(1);
  });

  it('picks up a rotated secret version with the refresh that the first get after ttlMs starts', async () => {
    sm.put(SECRET, secretText('KOLD', rsa.privatePem));
    const { source, events, advance } = keySource();
    await source.get();

    const newVersion = sm.rotate(SECRET, secretText('KNEW', ec.privatePem));
    advance(TTL - 1);
    expect((await source.get()).keyPairId).toBe('KOLD');
    advance(1);
    expect((await source.get()).keyPairId).toBe('KOLD');
    await source.settled();
    const rotated = await source.get();

    expect(rotated).toMatchObject({ keyPairId: 'KNEW', versionId: newVersion, key: { type: 'ecdsa' } });
    expectSignsFor(rotated, ec.publicKey);
    expect(sm.calls('GetSecretValue')).toHaveLength(2);
    expect(events.at(-1)).toEqual({
      level: 'info',
      secretId: SECRET,
      message: `picked up version ${newVersion} of secret ${SECRET}: now signing with key KNEW (was KOLD)`,
    });
  });

  it('keeps the parsed key when a refresh finds the same version', async () => {
    sm.put(SECRET, secretText('K1', rsa.privatePem));
    const { source, events, advance } = keySource();
    const first = await source.get();

    advance(TTL);
    expect(await source.get()).toBe(first);
    await source.settled();
    expect(await source.get()).toBe(first);
    expect(sm.calls('GetSecretValue')).toHaveLength(2);
    expect(events).toHaveLength(1);
  });

  it('serves the last good key through an outage for up to maxStaleMs, then fails with 503', async () => {
    sm.put(SECRET, secretText('K1', rsa.privatePem));
    const { source, events, advance } = keySource({ retryAfterMs: 30_000 });
    const good = await source.get();
    sm.failNext('internal-error', 100);

    advance(TTL);
    expect(await source.get()).toBe(good);
    await source.settled();
    expect(events.at(-1)).toMatchObject({
      level: 'warn',
      secretId: SECRET,
      message: `Secrets Manager unavailable while reading secret ${SECRET} (InternalServiceError); still signing with key K1 (version ${good.versionId}) fetched 5 min ago, for at most 55 min more`,
      cause: 'InternalServiceError: An error occurred on the server side.',
      fallback: true,
    });

    // Within retryAfterMs of a failure the stale key answers without another slow call.
    advance(29_000);
    expect(await source.get()).toBe(good);
    expect(sm.calls('GetSecretValue')).toHaveLength(2);
    advance(1_000);
    expect(await source.get()).toBe(good);
    await source.settled();
    expect(sm.calls('GetSecretValue')).toHaveLength(3);

    advance(MAX_STALE - TTL - 30_000);
    const error = await rejection(source.get());
    expect(error.code).toBe('SIGNING_KEY_UNAVAILABLE');
    expect(error.httpStatus).toBe(503);
    expect(error.message).toBe('the signing key is unavailable; try again shortly');
    expect(events.at(-1)).toMatchObject({
      level: 'error',
      message: expect.stringMatching(
        /^Secrets Manager unavailable .*; the last good key is 60 min old, past maxStaleMs \(60 min\), so nothing can be signed$/,
      ),
    });
    // Nothing is served any more: that is no fallback but an error (503, the error alarm's business).
    expect(events.at(-1)).not.toHaveProperty('fallback');
  });

  it('returns to a fresh key as soon as Secrets Manager answers again', async () => {
    sm.put(SECRET, secretText('K1', rsa.privatePem));
    const { source, advance } = keySource();
    await source.get();
    sm.failNext('throttling');
    advance(TTL);
    expect((await source.get()).keyPairId).toBe('K1');
    await source.settled();

    const version = sm.rotate(SECRET, secretText('K2', ec.privatePem));
    advance(30_000);
    expect((await source.get()).keyPairId).toBe('K1');
    await source.settled();
    expect(await source.get()).toMatchObject({ keyPairId: 'K2', versionId: version });
  });

  it('keeps signing with the good key when a rotated version is malformed, and says what is wrong', async () => {
    sm.put(SECRET, secretText('K1', rsa.privatePem));
    const { source, events, advance } = keySource();
    const good = await source.get();

    sm.rotate(SECRET, secretText('K2', rsa1024));
    advance(TTL);

    expect(await source.get()).toBe(good);
    await source.settled();
    expect(events.at(-1)).toMatchObject({
      level: 'warn',
      message: expect.stringContaining(
        `secret ${SECRET} is not {"keyPairId","privateKey"} with an RSA-2048 or ECDSA P-256 PEM: CloudFront accepts RSA keys of exactly 2048 bits; this one has 1024 bits; still signing with key K1`,
      ),
    });
  });

  it('retries once the back-off delay after a cold-start failure has passed', async () => {
    sm.put(SECRET, secretText('K1', rsa.privatePem));
    sm.failNext('internal-error');
    const { source, advance } = keySource();

    await rejection(source.get());
    advance(1_000);
    expect((await source.get()).keyPairId).toBe('K1');
    expect(sm.calls('GetSecretValue')).toHaveLength(2);
  });

  it('lets the SDK retry throttling and 500s itself (the fixture answers the way AWS does)', async () => {
    sm.put(SECRET, secretText('K1', rsa.privatePem));
    sm.failNext('throttling');
    sm.failNext('internal-error');
    const { source } = keySource({ client: clientFor({ maxAttempts: 3 }) });

    expect((await source.get()).keyPairId).toBe('K1');
    expect(sm.calls('GetSecretValue').map((call) => call.status)).toEqual([400, 500, 200]);
  });

  describe('with no good key, rejects with SIGNING_KEY_UNAVAILABLE and logs what to fix', () => {
    const cases: { name: string; fault?: Parameters<LocalSecretsManager['failNext']>[0]; message: string }[] = [
      {
        name: 'the secret does not exist',
        message: `secret ${SECRET} does not exist (or has no current version): create it with \`edgepass secret put --secret-id ${SECRET} --key-pair-id <public key id> --private-key private.pem --create\``,
      },
      {
        name: 'the role may not read it',
        fault: 'access-denied',
        message: `the function's role may not read secret ${SECRET} (secretsmanager:GetSecretValue): grant it in the role's policy`,
      },
      {
        name: 'the role may not decrypt it',
        fault: 'decryption-failure',
        message: `Secrets Manager cannot decrypt secret ${SECRET}: the function's role needs kms:Decrypt on the secret's KMS key`,
      },
      {
        name: 'Secrets Manager throttles',
        fault: 'throttling',
        message: `Secrets Manager unavailable while reading secret ${SECRET} (ThrottlingException)`,
      },
      {
        name: 'Secrets Manager fails with 500',
        fault: 'internal-error',
        message: `Secrets Manager unavailable while reading secret ${SECRET} (InternalServiceError)`,
      },
      {
        name: 'the connection is closed',
        fault: 'close',
        message: `Secrets Manager unavailable while reading secret ${SECRET} (ECONNRESET)`,
      },
      {
        // Never answered: only the request timeout can end the call (else the test's own timeout fails it).
        name: 'Secrets Manager hangs past the request timeout',
        fault: 'silent',
        message: `Secrets Manager unavailable: reading secret ${SECRET} timed out; if this persists, check the function can reach Secrets Manager (in a VPC: a NAT gateway or a secretsmanager VPC endpoint)`,
      },
    ];

    it.each(cases)('when $name', async ({ fault, message }) => {
      if (fault !== undefined) {
        sm.put(SECRET, secretText('K1', rsa.privatePem));
        sm.failNext(fault);
      }
      const { source, events } = keySource();

      const error = await rejection(source.get());

      expect(error).toMatchObject({ code: 'SIGNING_KEY_UNAVAILABLE', httpStatus: 503 });
      expect(error.message).toBe('the signing key is unavailable; try again shortly');
      expect((error.cause as Error).message).toBe(message);
      expect(events).toEqual([{ level: 'error', secretId: SECRET, message, cause: expect.any(String) }]);
      expectAllCallsWellFormed();
    });
  });

  describe('refuses a malformed secret, naming the problem without quoting the secret', () => {
    const prefix = `secret ${SECRET} is not {"keyPairId","privateKey"} with an RSA-2048 or ECDSA P-256 PEM: `;
    const cases: { name: string; value: SecretValue; detail: string }[] = [
      {
        name: 'text that is not JSON',
        value: `keyPairId=K1;privateKey=${keyBytesOf(rsa.privatePem)}`,
        detail: 'its SecretString is not JSON',
      },
      {
        name: 'a bare PEM',
        value: rsa.privatePem,
        detail: 'it holds a bare PEM, not JSON (edgepass secret put writes the JSON)',
      },
      {
        name: 'a JSON array',
        value: JSON.stringify([rsa.privatePem]),
        detail: 'its SecretString is an array, not a JSON object',
      },
      {
        name: 'a misspelt privateKey field',
        value: JSON.stringify({ keyPairId: 'K1', privatekey: rsa.privatePem }),
        detail: 'privateKey is missing (fields present: keyPairId, privatekey)',
      },
      {
        name: 'a missing keyPairId',
        value: JSON.stringify({ privateKey: rsa.privatePem }),
        detail: 'keyPairId is missing (fields present: privateKey)',
      },
      {
        name: 'a keyPairId that is not a CloudFront id',
        value: secretText('K-1 2', rsa.privatePem),
        detail: 'keyPairId is not a CloudFront public key id (letters and digits, e.g. K2JCJMDEHXQW5F)',
      },
      {
        name: 'a public key',
        value: secretText('K1', rsa.publicPem),
        detail: 'privateKey holds a public key; store the private key',
      },
      {
        name: 'a PEM whose body is not a key',
        value: secretText('K1', '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n'),
        detail: 'not a PEM private key (expected -----BEGIN … PRIVATE KEY-----)',
      },
      {
        name: 'an RSA-1024 key',
        value: secretText('K1', rsa1024),
        detail: 'CloudFront accepts RSA keys of exactly 2048 bits; this one has 1024 bits',
      },
      {
        name: 'an Ed25519 key',
        value: secretText('K1', ed25519),
        detail: 'unsupported key type ed25519: CloudFront accepts RSA-2048 or ECDSA P-256',
      },
      {
        name: 'an encrypted key',
        value: secretText('K1', encrypted),
        detail:
          'privateKey is encrypted and the function has no passphrase; store it unencrypted (Secrets Manager encrypts it at rest)',
      },
    ];

    it.each(cases)('such as $name', async ({ value, detail }) => {
      sm.put(SECRET, value);
      const { source, events } = keySource();

      const error = await rejection(source.get());

      expect(error.code).toBe('SIGNING_KEY_UNAVAILABLE');
      expect((error.cause as Error).message).toBe(prefix + detail);
      expect(events).toMatchObject([{ level: 'error', message: prefix + detail }]);
      const everythingReported = JSON.stringify(events) + error.message + (error.cause as Error).message;
      for (const privatePem of [rsa.privatePem, rsa1024, ed25519, encrypted]) {
        expect(everythingReported).not.toContain(keyBytesOf(privatePem));
      }
    });

    it('such as a secret stored as SecretBinary', async () => {
      sm.put(SECRET, { binary: Buffer.from(secretText('K1', rsa.privatePem)) });
      const { source, events } = keySource();

      const error = await rejection(source.get());

      expect((error.cause as Error).message).toBe(
        `secret ${SECRET} holds SecretBinary: store {"keyPairId","privateKey"} with an RSA-2048 or ECDSA P-256 PEM as SecretString instead (edgepass secret put does)`,
      );
      expect(events).toMatchObject([{ level: 'error' }]);
    });
  });

  it('says to set AWS_REGION when the client has no region', async () => {
    sm.put(SECRET, secretText('K1', rsa.privatePem));
    const saved = { region: process.env.AWS_REGION, config: process.env.AWS_CONFIG_FILE };
    delete process.env.AWS_REGION;
    process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
    try {
      const client = new SecretsManagerClient({
        endpoint: sm.endpoint,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      clients.push(client);
      const error = await rejection(keySource({ client }).source.get());
      expect((error.cause as Error).message).toBe(
        `no AWS region to find secret ${SECRET} in: set AWS_REGION (Lambda sets it; serverless invoke local takes provider.region)`,
      );
    } finally {
      if (saved.region !== undefined) process.env.AWS_REGION = saved.region;
      if (saved.config === undefined) delete process.env.AWS_CONFIG_FILE;
      else process.env.AWS_CONFIG_FILE = saved.config;
    }
  });

  it('keeps working when the log hook throws', async () => {
    sm.put(SECRET, secretText('K1', rsa.privatePem));
    const { source } = keySource({
      onEvent: () => {
        throw new Error('logger broke');
      },
    });
    expect((await source.get()).keyPairId).toBe('K1');
  });

  it('refuses a negative ttlMs when created', () => {
    expect(() => createSecretsManagerKeySource({ secretId: SECRET, client: clientFor(), ttlMs: -1 })).toThrow(
      /ttlMs must be a number of milliseconds/,
    );
  });

  it('refuses a deadline under 1 ms when created', () => {
    expect(() => createSecretsManagerKeySource({ secretId: SECRET, client: clientFor(), deadlineMs: 0 })).toThrow(
      /deadlineMs must be a number of milliseconds ≥ 1, got 0/,
    );
  });
});

/** A promise a test settles when it likes (to hold a Secrets Manager answer). */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

describe('createSecretsManagerKeySource: stale-while-revalidate', () => {
  it('serves the cached key past ttlMs at once and refreshes it in the background, one call at a time', async () => {
    sm.put(SECRET, secretText('K1', rsa.privatePem));
    const { source, advance } = keySource();
    const cached = await source.get();
    const version = sm.rotate(SECRET, secretText('K2', ec.privatePem));
    const release = deferred();
    sm.failNext({ until: release.promise });

    advance(TTL);
    // Resolved before Secrets Manager even sees the refresh: nothing waits for it.
    const first = await Promise.race([
      source.get(),
      sm.waitForCalls(2, 'GetSecretValue').then(() => 'waited for Secrets Manager'),
    ]);
    expect(first).toBe(cached);

    await sm.waitForCalls(2, 'GetSecretValue');
    for (let i = 0; i < 20; i += 1) {
      advance(1_000);
      expect(await source.get()).toBe(cached);
    }
    expect(sm.calls('GetSecretValue')).toHaveLength(2);

    release.resolve();
    await source.settled();
    expect(await source.get()).toMatchObject({ keyPairId: 'K2', versionId: version });
    expect(sm.calls('GetSecretValue')).toHaveLength(2);
  });

  it('logs a failed background refresh once per retry interval, and never rejects in the background', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      sm.put(SECRET, secretText('K1', rsa.privatePem));
      const { source, events, advance } = keySource({ retryAfterMs: 30_000 });
      const cached = await source.get();
      sm.failNext('internal-error', 100);

      advance(TTL);
      const answers = await Promise.all(Array.from({ length: 20 }, () => source.get()));
      expect(new Set(answers)).toEqual(new Set([cached]));
      await source.settled();
      advance(29_999);
      expect(await source.get()).toBe(cached);
      await source.settled();
      expect(sm.calls('GetSecretValue')).toHaveLength(2);
      expect(events.filter((event) => event.level === 'warn')).toHaveLength(1);

      advance(1);
      expect(await source.get()).toBe(cached);
      await source.settled();
      expect(sm.calls('GetSecretValue')).toHaveLength(3);
      expect(events.filter((event) => event.level === 'warn')).toHaveLength(2);

      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('makes callers wait for the refresh once the cached key is older than maxStaleMs', async () => {
    sm.put(SECRET, secretText('K1', rsa.privatePem));
    const { source, advance } = keySource();
    await source.get();
    const version = sm.rotate(SECRET, secretText('K2', ec.privatePem));

    advance(MAX_STALE);
    expect(await source.get()).toMatchObject({ keyPairId: 'K2', versionId: version });
  });
});

describe('createSecretsManagerKeySource: back-off without a usable key', () => {
  it('answers 200 gets for a missing secret with one Secrets Manager call, then one more after the delay', async () => {
    const { source, events, advance } = keySource();

    const concurrent = await Promise.all(Array.from({ length: 100 }, () => rejection(source.get())));
    const sequential: EdgepassError[] = [];
    for (let i = 0; i < 100; i += 1) sequential.push(await rejection(source.get()));

    for (const error of [...concurrent, ...sequential]) {
      expect(error).toMatchObject({ code: 'SIGNING_KEY_UNAVAILABLE', httpStatus: 503 });
      expect((error.cause as Error).message).toMatch(new RegExp(`^secret ${SECRET} does not exist`));
    }
    expect(sm.calls('GetSecretValue')).toHaveLength(1);
    expect(events).toHaveLength(1);

    advance(999);
    await rejection(source.get());
    expect(sm.calls('GetSecretValue')).toHaveLength(1);
    advance(1);
    await rejection(source.get());
    expect(sm.calls('GetSecretValue')).toHaveLength(2);
    expect(events).toHaveLength(2);
  });

  it('doubles the delay after each failure up to maxBackoffMs, and starts again from the shortest after a success', async () => {
    const { source, advance } = keySource();
    const callsAfter = async (ms: number): Promise<number> => {
      advance(ms);
      await source.get().catch(() => undefined);
      return sm.calls('GetSecretValue').length;
    };

    expect(await callsAfter(0)).toBe(1);
    const waits = [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000];
    for (const [index, wait] of waits.entries()) {
      expect(await callsAfter(wait - 1)).toBe(index + 1);
      expect(await callsAfter(1)).toBe(index + 2);
    }

    sm.put(SECRET, secretText('K1', rsa.privatePem));
    advance(30_000);
    expect((await source.get()).keyPairId).toBe('K1');
    const calls = sm.calls('GetSecretValue').length;

    sm.failNext('internal-error', 2);
    advance(MAX_STALE);
    await rejection(source.get());
    expect(await callsAfter(999)).toBe(calls + 1);
    expect(await callsAfter(1)).toBe(calls + 2);
  });

  it('refuses back-off figures that are not milliseconds, or a maximum below the minimum', () => {
    expect(() => keySource({ minBackoffMs: -1 })).toThrow(/minBackoffMs must be a number of milliseconds/);
    expect(() => keySource({ minBackoffMs: 2_000, maxBackoffMs: 1_000 })).toThrow(/maxBackoffMs/);
  });
});

describe('parseSigningSecret', () => {
  it('returns the key pair id and PEM of a well-formed secret', () => {
    expect(parseSigningSecret(secretText('K2JCJMDEHXQW5F', rsa.privatePem), SECRET)).toEqual({
      keyPairId: 'K2JCJMDEHXQW5F',
      privateKey: rsa.privatePem,
    });
  });

  it('ignores fields it does not know', () => {
    const text = JSON.stringify({ keyPairId: 'K1', privateKey: ec.privatePem, note: 'rotated 2026-11' });
    expect(parseSigningSecret(text, SECRET).keyPairId).toBe('K1');
  });

  it.each<[string, string, string]>([
    ['a bare PEM', rsa.privatePem, 'it holds a bare PEM, not JSON (edgepass secret put writes the JSON)'],
    ['text that is not JSON', 'K1 then a key', 'its SecretString is not JSON'],
    ['JSON null', 'null', 'its SecretString is null, not a JSON object'],
    ['a JSON array', '[]', 'its SecretString is an array, not a JSON object'],
    ['a JSON string', '"K1"', 'its SecretString is a string, not a JSON object'],
    ['an object without fields', '{}', 'keyPairId is missing (it has no fields)'],
    [
      'a misspelt field, and one not shaped like a name',
      '{"keypairid":"K1","-----BEGIN x":1}',
      'keyPairId is missing (fields present: keypairid, …)',
    ],
    ['a numeric keyPairId', '{"keyPairId":7}', 'keyPairId is a number, not a string'],
    ['a null keyPairId', '{"keyPairId":null}', 'keyPairId is null, not a string'],
    [
      'a keyPairId CloudFront would never give',
      '{"keyPairId":"K-1"}',
      'keyPairId is not a CloudFront public key id (letters and digits, e.g. K2JCJMDEHXQW5F)',
    ],
    ['no privateKey', '{"keyPairId":"K1"}', 'privateKey is missing (fields present: keyPairId)'],
    ['a privateKey object', '{"keyPairId":"K1","privateKey":{}}', 'privateKey is a object, not a string'],
    [
      'a public key',
      JSON.stringify({ keyPairId: 'K1', privateKey: rsa.publicPem }),
      'privateKey holds a public key; store the private key',
    ],
    [
      'text that is no PEM',
      '{"keyPairId":"K1","privateKey":"MIIE"}',
      'privateKey is not a PEM private key (expected -----BEGIN PRIVATE KEY-----)',
    ],
  ])('refuses %s, saying what is wrong', (_, text, detail) => {
    expect(() => parseSigningSecret(text, SECRET)).toThrow(
      expect.objectContaining({
        code: 'SIGNING_KEY_UNAVAILABLE',
        message: `secret ${SECRET} is not {"keyPairId","privateKey"} with an RSA-2048 or ECDSA P-256 PEM: ${detail}`,
      }),
    );
  });

  it('never quotes the text it could not parse (JSON.parse would)', () => {
    const text = `{"keyPairId":"K1","privateKey":"${keyBytesOf(rsa.privatePem)}`;
    const error = (() => {
      try {
        parseSigningSecret(text, SECRET);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toMatchObject({ code: 'SIGNING_KEY_UNAVAILABLE' });
    expect(String(error)).not.toContain(keyBytesOf(rsa.privatePem));
    expect((error as Error).cause).toBeUndefined();
  });
});

describe('startSecretsManager (test fixture)', () => {
  it('refuses requests that are not SigV4-signed JSON 1.1, so passing tests prove the real protocol', async () => {
    const unsigned = await fetch(sm.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
      body: JSON.stringify({ SecretId: SECRET }),
    });
    expect(unsigned.status).toBe(400);
    expect(await unsigned.json()).toMatchObject({ __type: 'IncompleteSignatureException' });

    const plainJson = await fetch(sm.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(plainJson.status).toBe(400);
    expect(sm.calls().map((call) => call.protocolError)).toEqual([
      'Authorization is not AWS4-HMAC-SHA256',
      'content-type application/json (expected application/x-amz-json-1.1)',
    ]);
  });
});
