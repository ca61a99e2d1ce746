import { generateKeyPairSync, type KeyObject, verify } from 'node:crypto';
import { Agent, type ClientRequestArgs, createServer } from 'node:http';
import { type AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { SecretsManagerClient, type SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cannedPolicy, decodeCloudFrontBase64, EdgepassError, signPolicy } from '../../../shared';
import { BoundedHttpHandler } from '../../../shared/regional/bounded-http-handler';
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
const cleanups: (() => Promise<void>)[] = [];

beforeEach(async () => {
  sm = await startSecretsManager();
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await sm.close();
});

/** The settings a Lambda (or `serverless invoke local`) uses to reach a local endpoint. */
function clientFor(
  options: {
    maxAttempts?: number;
    endpoint?: string;
    requestHandler?: SecretsManagerClientConfig['requestHandler'];
  } = {},
): SecretsManagerClient {
  const client = new SecretsManagerClient({
    endpoint: options.endpoint ?? sm.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: options.maxAttempts ?? 1,
    // Without throwOnRequestTimeout the SDK only logs a warning and keeps waiting.
    requestHandler: options.requestHandler ?? { requestTimeout: REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
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
    // Not even a background refresh was started.
    await source.settled();
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

  it("refuses a deadline longer than Node's longest timer (2^31 - 1 ms) when created: it would fire after 1 ms", () => {
    expect(() => createSecretsManagerKeySource({ secretId: SECRET, client: clientFor(), deadlineMs: 2 ** 31 })).toThrow(
      expect.objectContaining({
        code: 'INVALID_CONFIG',
        message:
          'deadlineMs must be at most 2147483647 ms (about 24 days, the longest timer Node sets), got 2147483648',
      }),
    );
  });

  it("reads the secret with a deadline of exactly Node's longest timer", async () => {
    sm.put(SECRET, secretText('K1', rsa.privatePem));
    const { source } = keySource({ deadlineMs: 2 ** 31 - 1 });

    expect((await source.get()).keyPairId).toBe('K1');
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

/** A base64url session key of 32 bytes, as `edgepass keys rotate --session` writes one. */
const SESSION_KEY = 'tyJrLrElmh1-DpFoa1BvkZMdc6pEf_ElUGx5pTnEQF4';

/**
 * An HTTP agent whose every connection fails with `failure`, the way Node reports what the OS said
 * (`connect ETIMEDOUT …`, `getaddrinfo ENOTFOUND …`): the SDK's own HTTP handler runs, and no packet
 * leaves the machine.
 */
class FailingConnections extends Agent {
  constructor(private readonly failure: Error) {
    super();
  }

  override createConnection(): Duplex {
    const socket = new Socket();
    process.nextTick(() => socket.destroy(this.failure));
    return socket;
  }
}

/** An HTTP agent that keeps the sockets it opens, so a test can see whether the SDK closed them. */
class RecordingConnections extends Agent {
  readonly opened: Duplex[] = [];

  override createConnection(
    options: ClientRequestArgs,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const socket = super.createConnection(options, callback);
    if (socket) this.opened.push(socket);
    return socket;
  }
}

/** A Node network error as `net` and `dns` raise it. */
function networkError(code: string, syscall: 'connect' | 'getaddrinfo', message: string): Error {
  return Object.assign(new Error(message), { code, syscall });
}

/** The real client, its connections failing with `failure` (see FailingConnections). */
function unreachableClient(failure: Error): SecretsManagerClient {
  return clientFor({
    requestHandler: new NodeHttpHandler({
      httpAgent: new FailingConnections(failure),
      requestTimeout: REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    }),
  });
}

/**
 * The real client with a middleware (as a plugin or a tracing wrapper adds one) that throws `thrown`
 * before any request leaves: failures of shapes the SDK's own errors never take.
 */
function clientFailingWith(thrown: unknown): SecretsManagerClient {
  const client = clientFor();
  client.middlewareStack.add(
    () => async () => {
      throw thrown;
    },
    { step: 'initialize', name: 'failsForTheTest' },
  );
  return client;
}

/**
 * A bare JSON 1.1 endpoint on 127.0.0.1 answering every call with `answer()`: for answers the local
 * Secrets Manager never gives (no VersionId, neither SecretString nor SecretBinary).
 */
async function startBareEndpoint(answer: () => Record<string, unknown>): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify(answer());
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Runs `run` with these environment variables set (or, for `undefined`, removed), then restores them. */
async function withEnvironment<T>(changes: Record<string, string | undefined>, run: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(changes).map((name) => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>): void => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(changes);
  try {
    return await run();
  } finally {
    apply(saved);
  }
}

/** The reason `get()` gives (its cause's message) and the one error event, for a source that has no key. */
async function coldFailure(
  overrides: Partial<SecretsManagerKeySourceOptions>,
): Promise<{ error: EdgepassError; reason: string; events: SigningKeySourceEvent[] }> {
  const { source, events } = keySource(overrides);
  const error = await rejection(source.get());
  expect(error).toMatchObject({ code: 'SIGNING_KEY_UNAVAILABLE', httpStatus: 503 });
  expect(error.message).toBe('the signing key is unavailable; try again shortly');
  const reason = (error.cause as Error).message;
  expect(events).toMatchObject([{ level: 'error', secretId: SECRET, message: reason }]);
  return { error, reason, events };
}

describe('createSecretsManagerKeySource: what an operator is told about a failed read', () => {
  it.each([
    'Throttling',
    'TooManyRequestsException',
    'RequestLimitExceeded',
    'InternalServiceError',
    'InternalFailure',
    'ServiceUnavailable',
    'TimeoutError',
    'RequestTimeout',
    'RequestTimeoutException',
  ])('calls a %s answer Secrets Manager being unavailable, whatever its HTTP status', async (name) => {
    sm.put(SECRET, secretText('K1', rsa.privatePem));
    sm.failNext({ error: name, message: 'Please try again later.', status: 400 });

    const { reason, events } = await coldFailure({});

    expect(reason).toBe(`Secrets Manager unavailable while reading secret ${SECRET} (${name})`);
    expect(events[0]?.cause).toBe(`${name}: Please try again later.`);
  });

  it.each([
    [429, 'SlowDown'],
    [500, 'Unknown'],
    [503, 'Unknown'],
  ])('calls an answer of an unknown error with HTTP %i Secrets Manager being unavailable', async (status, name) => {
    sm.put(SECRET, secretText('K1', rsa.privatePem));
    sm.failNext({ error: name, message: 'Please reduce your request rate.', status });

    const { reason } = await coldFailure({});

    expect(reason).toBe(`Secrets Manager unavailable while reading secret ${SECRET} (${name})`);
  });

  it('quotes an unknown refusal with HTTP 400 as it came: nothing says Secrets Manager is down', async () => {
    sm.put(SECRET, secretText('K1', rsa.privatePem));
    sm.failNext({ error: 'ValidationException', message: 'Invalid name.\nMust be a valid name.' });

    const { reason, events } = await coldFailure({});

    expect(reason).toBe(
      `cannot read secret ${SECRET} from Secrets Manager: ValidationException: Invalid name.\\nMust be a valid name.`,
    );
    expect(events[0]?.cause).toBe('ValidationException: Invalid name.\\nMust be a valid name.');
  });

  it('says a secret scheduled for deletion must be restored, quoting why Secrets Manager refuses it', async () => {
    sm.put(SECRET, secretText('K1', rsa.privatePem));
    sm.failNext({
      error: 'InvalidRequestException',
      message: "You can't perform this operation on the secret because it was marked for deletion.",
    });

    const { reason } = await coldFailure({});

    expect(reason).toBe(
      `Secrets Manager refuses to read secret ${SECRET} (You can't perform this operation on the secret because it was marked for deletion.): if it is scheduled for deletion, restore it`,
    );
  });

  it('says "invalid request" for an InvalidRequestException that carries no message', async () => {
    const { reason } = await coldFailure({ client: clientFailingWith({ name: 'InvalidRequestException' }) });

    expect(reason).toBe(
      `Secrets Manager refuses to read secret ${SECRET} (invalid request): if it is scheduled for deletion, restore it`,
    );
  });

  it('says to set credentials when the SDK finds none (environment, profiles, instance metadata off)', async () => {
    sm.put(SECRET, secretText('K1', rsa.privatePem));
    const { reason, events } = await withEnvironment(
      {
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_SESSION_TOKEN: undefined,
        AWS_PROFILE: undefined,
        AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
        AWS_ROLE_ARN: undefined,
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
        AWS_CONFIG_FILE: '/nonexistent/aws-config',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
        // The chain's last link asks 169.254.169.254: off, so nothing leaves the machine.
        AWS_EC2_METADATA_DISABLED: 'true',
      },
      () => {
        const client = new SecretsManagerClient({ endpoint: sm.endpoint, region: 'us-east-1', maxAttempts: 1 });
        clients.push(client);
        return coldFailure({ client });
      },
    );

    expect(reason).toBe(
      `no AWS credentials to read secret ${SECRET}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or AWS_PROFILE`,
    );
    expect(events[0]?.cause).toMatch(/^CredentialsProviderError: /);
    expect(sm.calls()).toEqual([]);
  });

  it('quotes a credentials provider that fails with a plain error (no HTTP status) as it came', async () => {
    const client = new SecretsManagerClient({
      endpoint: sm.endpoint,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: async () => {
        throw new Error('the vault is sealed');
      },
    });
    clients.push(client);

    const { reason } = await coldFailure({ client });

    expect(reason).toBe(`cannot read secret ${SECRET} from Secrets Manager: Error: the vault is sealed`);
  });

  it("names the cap of BoundedHttpHandler when Secrets Manager's answer is larger", async () => {
    sm.put(SECRET, secretText('K1', rsa.privatePem));
    const client = clientFor({ requestHandler: new BoundedHttpHandler({ requestTimeout: REQUEST_TIMEOUT_MS }, 1024) });

    const { reason, events } = await coldFailure({ client });

    expect(reason).toBe(
      `Secrets Manager's answer for secret ${SECRET} is larger than 1024 bytes, more than any secret (64 KiB at most); it was not read further: check that the endpoint (AWS_ENDPOINT_URL_SECRETS_MANAGER, a proxy) is Secrets Manager`,
    );
    expect(events[0]?.cause).toBe('ResponseTooLarge: the answer is larger than 1024 bytes');
  });

  it.each([
    ['no cap at all', {}],
    ['a cap that is not a finite number', { limit: Number.POSITIVE_INFINITY }],
    ['a cap that is not a number', { limit: '1024' }],
  ])('says "its cap" for a ResponseTooLarge with %s', async (_, fields) => {
    const tooLarge = Object.assign(new Error('the answer is too large'), { name: 'ResponseTooLarge' }, fields);

    const { reason } = await coldFailure({ client: clientFailingWith(tooLarge) });

    expect(reason).toBe(
      `Secrets Manager's answer for secret ${SECRET} is larger than its cap, more than any secret (64 KiB at most); it was not read further: check that the endpoint (AWS_ENDPOINT_URL_SECRETS_MANAGER, a proxy) is Secrets Manager`,
    );
  });

  it('names the network error code when Secrets Manager cannot be reached (connection refused)', async () => {
    const gone = await startSecretsManager();
    await gone.close();

    const { reason, events } = await coldFailure({ client: clientFor({ endpoint: gone.endpoint }) });

    expect(reason).toBe(`Secrets Manager unavailable while reading secret ${SECRET} (ECONNREFUSED)`);
    expect(events[0]?.cause).toMatch(/^Error: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
  });

  it('names the network error code when the endpoint name does not resolve', async () => {
    const failure = networkError(
      'ENOTFOUND',
      'getaddrinfo',
      'getaddrinfo ENOTFOUND secretsmanager.us-east-1.amazonaws.com',
    );

    const { reason } = await coldFailure({ client: unreachableClient(failure) });

    expect(reason).toBe(`Secrets Manager unavailable while reading secret ${SECRET} (ENOTFOUND)`);
  });

  it('says the read timed out on a connect ETIMEDOUT, whose message never says "timeout"', async () => {
    const failure = networkError('ETIMEDOUT', 'connect', 'connect ETIMEDOUT 10.0.12.7:443');

    const { reason } = await coldFailure({ client: unreachableClient(failure) });

    expect(reason).toBe(
      `Secrets Manager unavailable: reading secret ${SECRET} timed out; if this persists, check the function can reach Secrets Manager (in a VPC: a NAT gateway or a secretsmanager VPC endpoint)`,
    );
  });

  it("says the read timed out on the SDK's connection timeout, a TimeoutError without an error code", async () => {
    const failure = Object.assign(new Error('Socket timed out without establishing a connection within 1000 ms'), {
      name: 'TimeoutError',
    });

    const { reason } = await coldFailure({ client: unreachableClient(failure) });

    expect(reason).toBe(
      `Secrets Manager unavailable: reading secret ${SECRET} timed out; if this persists, check the function can reach Secrets Manager (in a VPC: a NAT gateway or a secretsmanager VPC endpoint)`,
    );
  });

  it('says "error" for an unavailable answer that carries no error name', async () => {
    const { reason, events } = await coldFailure({
      client: clientFailingWith({ $metadata: { httpStatusCode: 503 } }),
    });

    expect(reason).toBe(`Secrets Manager unavailable while reading secret ${SECRET} (error)`);
    expect(events[0]?.cause).toBe('[object Object]');
  });

  it('quotes a failure that is not even an object', async () => {
    const { reason } = await coldFailure({ client: clientFailingWith('socket closed by proxy') });

    expect(reason).toBe(`cannot read secret ${SECRET} from Secrets Manager: socket closed by proxy`);
  });

  it('reports the error behind a client that resolves with no answer at all', async () => {
    const client = clientFor();
    client.middlewareStack.add(() => async () => ({ output: undefined as never, response: {} }), {
      step: 'initialize',
      name: 'answersNothingForTheTest',
    });

    const { error, reason, events } = await coldFailure({ client });

    expect(reason).toBe("TypeError: Cannot read properties of undefined (reading 'VersionId')");
    expect(events[0]?.cause).toBe(reason);
    expect((error.cause as Error).cause).toBeInstanceOf(TypeError);
  });

  it('hands callers the reason as a SigningKeyFetchFailure caused by the SDK error', async () => {
    const { error } = await coldFailure({});

    expect(error.cause).toBeInstanceOf(Error);
    expect((error.cause as Error).name).toBe('SigningKeyFetchFailure');
    expect((error.cause as Error).cause).toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('stops a call at deadlineMs, says so, and closes the connection the SDK had open', async () => {
    sm.put(SECRET, secretText('K1', rsa.privatePem));
    sm.failNext('silent');
    const agent = new RecordingConnections();
    // The SDK's own request timeout is far off: only the deadline can end this call.
    const client = clientFor({
      requestHandler: new NodeHttpHandler({ httpAgent: agent, requestTimeout: 60_000, throwOnRequestTimeout: true }),
    });

    const { reason, events } = await coldFailure({ client, deadlineMs: 50 });

    expect(reason).toBe(
      `Secrets Manager unavailable: reading secret ${SECRET} timed out (deadline 50 ms); if this persists, check the function can reach Secrets Manager (in a VPC: a NAT gateway or a secretsmanager VPC endpoint)`,
    );
    expect(events[0]?.cause).toBe('TimeoutError: The operation was aborted due to timeout');
    expect(agent.opened).toHaveLength(1);
    expect(agent.opened[0]?.destroyed).toBe(true);
  });
});

describe('createSecretsManagerKeySource: answers the local Secrets Manager never gives', () => {
  it('parses every answer without a VersionId afresh, so a rotated key is still picked up', async () => {
    let current = secretText('K1', rsa.privatePem);
    const endpoint = await startBareEndpoint(() => ({
      ARN: 'arn:aws:secretsmanager:::secret:x',
      SecretString: current,
    }));
    const { source, advance } = keySource({ client: clientFor({ endpoint }) });
    expect(await source.get()).toMatchObject({ keyPairId: 'K1', versionId: undefined });

    current = secretText('K2', ec.privatePem);
    advance(TTL);
    await source.get();
    await source.settled();

    const rotated = await source.get();
    expect(rotated).toMatchObject({ keyPairId: 'K2', versionId: undefined, key: { type: 'ecdsa' } });
    expectSignsFor(rotated, ec.publicKey);
  });

  it('says an answer with neither SecretString nor SecretBinary has no SecretString', async () => {
    const endpoint = await startBareEndpoint(() => ({ ARN: 'arn:aws:secretsmanager:::secret:x', VersionId: 'v1' }));

    const { reason } = await coldFailure({ client: clientFor({ endpoint }) });

    expect(reason).toBe(
      `secret ${SECRET} has no SecretString: store {"keyPairId","privateKey"} with an RSA-2048 or ECDSA P-256 PEM as SecretString`,
    );
  });
});

/** A key source as `keySource()` builds it, but with no timing option set. */
function keySourceWithDefaultTimings() {
  const events: SigningKeySourceEvent[] = [];
  let clock = T0;
  const source = createSecretsManagerKeySource({
    secretId: SECRET,
    client: clientFor(),
    now: () => clock,
    onEvent: (event) => events.push(event),
  });
  return {
    source,
    events,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe('createSecretsManagerKeySource: defaults and option checks', () => {
  it('by default refreshes a key 5 minutes after its fetch, and not a millisecond before', async () => {
    sm.put(SECRET, secretText('K1', rsa.privatePem));
    const { source, advance } = keySourceWithDefaultTimings();
    await source.get();

    advance(5 * 60_000 - 1);
    await source.get();
    await source.settled();
    expect(sm.calls('GetSecretValue')).toHaveLength(1);

    advance(1);
    await source.get();
    await source.settled();
    expect(sm.calls('GetSecretValue')).toHaveLength(2);
  });

  it('by default serves the last good key through an outage until it is an hour old, then fails', async () => {
    sm.put(SECRET, secretText('K1', rsa.privatePem));
    const { source, events, advance } = keySourceWithDefaultTimings();
    const good = await source.get();
    sm.failNext('internal-error', 2);

    advance(60 * 60_000 - 1);
    expect(await source.get()).toBe(good);
    await source.settled();
    expect(events.at(-1)).toMatchObject({ level: 'warn', fallback: true });

    advance(1);
    await rejection(source.get());
    expect(events.at(-1)).toMatchObject({
      level: 'error',
      message: `Secrets Manager unavailable while reading secret ${SECRET} (InternalServiceError); the last good key is 60 min old, past maxStaleMs (60 min), so nothing can be signed`,
    });
  });

  it.each([
    ['maxStaleMs', { maxStaleMs: -1 }],
    ['retryAfterMs', { retryAfterMs: Number.NaN }],
  ])('refuses a %s that is not milliseconds when created, naming it', (name, options) => {
    expect(() => createSecretsManagerKeySource({ secretId: SECRET, client: clientFor(), ...options })).toThrow(
      expect.objectContaining({
        code: 'INVALID_CONFIG',
        message: expect.stringMatching(new RegExp(`^${name} must be a number of milliseconds ≥ 0, got`)),
      }),
    );
  });
});

describe('createSecretsManagerKeySource: the session-token key', () => {
  it('hands out the session key with the signing key when the secret holds one', async () => {
    const versionId = sm.put(
      SECRET,
      JSON.stringify({
        keyPairId: 'K1',
        privateKey: rsa.privatePem,
        sessionKeyId: 'S20261130',
        sessionKey: SESSION_KEY,
      }),
    );

    const material = await keySource().source.get();

    expect(material).toStrictEqual({
      keyPairId: 'K1',
      versionId,
      key: expect.objectContaining({ type: 'rsa' }),
      session: { keyId: 'S20261130', key: SESSION_KEY },
    });
  });

  it('hands out no session field at all when the secret holds no session key', async () => {
    const versionId = sm.put(SECRET, secretText('K1', rsa.privatePem));

    const material = await keySource().source.get();

    expect(material).toStrictEqual({ keyPairId: 'K1', versionId, key: expect.objectContaining({ type: 'rsa' }) });
    expect('session' in material).toBe(false);
  });

  it('refuses a secret whose session key is malformed, saying so', async () => {
    sm.put(
      SECRET,
      JSON.stringify({ keyPairId: 'K1', privateKey: rsa.privatePem, sessionKeyId: 'S1', sessionKey: 'short' }),
    );

    const { reason } = await coldFailure({});

    expect(reason).toBe(
      `secret ${SECRET} is not {"keyPairId","privateKey"} with an RSA-2048 or ECDSA P-256 PEM: sessionKey is not base64url text of at least 32 bytes (edgepass keys rotate --session writes one)`,
    );
  });
});

describe('parseSigningSecret: the session-token key and PEM shapes', () => {
  const prefix = `secret ${SECRET} is not {"keyPairId","privateKey"} with an RSA-2048 or ECDSA P-256 PEM: `;
  const ID_PROBLEM = 'sessionKeyId is not a session key id (1-64 letters and digits, e.g. S20261130)';
  const KEY_PROBLEM =
    'sessionKey is not base64url text of at least 32 bytes (edgepass keys rotate --session writes one)';

  it('returns exactly the key pair id and PEM of a secret without session fields', () => {
    expect(parseSigningSecret(secretText('K2JCJMDEHXQW5F', rsa.privatePem), SECRET)).toStrictEqual({
      keyPairId: 'K2JCJMDEHXQW5F',
      privateKey: rsa.privatePem,
    });
  });

  it('returns the session key id and text when both are present', () => {
    const text = JSON.stringify({
      keyPairId: 'K1',
      privateKey: ec.privatePem,
      sessionKeyId: 'S1',
      sessionKey: SESSION_KEY,
    });

    expect(parseSigningSecret(text, SECRET)).toStrictEqual({
      keyPairId: 'K1',
      privateKey: ec.privatePem,
      session: { keyId: 'S1', key: SESSION_KEY },
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a sessionKeyId without a sessionKey', { sessionKeyId: 'S1' }, KEY_PROBLEM],
    ['a sessionKey without a sessionKeyId', { sessionKey: SESSION_KEY }, ID_PROBLEM],
    ['a sessionKeyId that is no id', { sessionKeyId: 'S-1', sessionKey: SESSION_KEY }, ID_PROBLEM],
    ['a numeric sessionKeyId', { sessionKeyId: 20261130, sessionKey: SESSION_KEY }, ID_PROBLEM],
    ['a sessionKey shorter than 32 bytes', { sessionKeyId: 'S1', sessionKey: 'c2hvcnQ' }, KEY_PROBLEM],
    ['a sessionKey inside an array', { sessionKeyId: 'S1', sessionKey: [SESSION_KEY] }, KEY_PROBLEM],
  ])('refuses %s, saying which field is wrong', (_, session, detail) => {
    const text = JSON.stringify({ keyPairId: 'K1', privateKey: ec.privatePem, ...session });

    expect(() => parseSigningSecret(text, SECRET)).toThrow(
      expect.objectContaining({ code: 'SIGNING_KEY_UNAVAILABLE', message: prefix + detail }),
    );
  });

  it('recognises a bare PKCS#1 ("RSA PRIVATE KEY") PEM stored without the JSON', () => {
    const pkcs1 = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(pkcs1).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);

    expect(() => parseSigningSecret(pkcs1, SECRET)).toThrow(
      expect.objectContaining({
        code: 'SIGNING_KEY_UNAVAILABLE',
        message: `${prefix}it holds a bare PEM, not JSON (edgepass secret put writes the JSON)`,
      }),
    );
  });
});
