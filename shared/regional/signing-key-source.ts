import {
  GetSecretValueCommand,
  type GetSecretValueCommandOutput,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { EdgepassError, isEdgepassError } from '../cloudfront/errors';
import { isKeyPairId } from '../cloudfront/key-group';
import { loadSigningKey, type SigningKey } from '../cloudfront/signing-key';
import { isSessionKeyId, isSessionKeyText } from '../edge/session-token';
import { abortable } from '../identity/abortable';
import { Backoff, deadlineMilliseconds, duration, milliseconds, SingleFlight } from '../identity/background-refresh';
import type { SessionKey, SigningKeySource, SigningMaterial } from '../identity/signing-key-source';
import { logText } from './log-text';

export type { SigningKeySource, SigningMaterial };

/** The Secrets Manager key source: a `SigningKeySource` whose refreshes can be waited for. */
export interface SecretsManagerKeySource extends SigningKeySource {
  /**
   * Resolves once no refresh is in flight (never rejects): `get()` does not wait for a background
   * refresh, so tests, and anything that wants the newest key, wait here.
   */
  settled(): Promise<void>;
}

/** One log line from a key source: what happened to which secret and, on trouble, what to fix. */
export interface SigningKeySourceEvent {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly secretId: string;
  /** The underlying error's name and message (never the secret's text). */
  readonly cause?: string;
  /** Set when a refresh failed and the last good key keeps serving (the fallback alarm counts these). */
  readonly fallback?: true;
}

export interface SecretsManagerKeySourceOptions {
  /** Name or ARN of the secret holding `{"keyPairId","privateKey"}`. */
  readonly secretId: string;
  /** The SDK v3 client to read it with (its endpoint, credentials, timeouts and retries apply). */
  readonly client: SecretsManagerClient;
  /**
   * Deadline of one `GetSecretValue` call in ms, from the request to the last byte of the answer,
   * the SDK's retries included (default 3000; at most 2^31 - 1, Node's longest timer). The SDK's own
   * `requestTimeout` stops at the response headers and restarts with every attempt; past this
   * deadline the call is aborted and fails.
   */
  readonly deadlineMs?: number;
  /** How long a fetched key is used before it is refreshed (default 5 minutes). */
  readonly ttlMs?: number;
  /**
   * How long the last good key keeps serving without waiting for Secrets Manager (default 1 hour):
   * past `ttlMs` it is served at once while a refresh runs in the background, and through an outage.
   */
  readonly maxStaleMs?: number;
  /**
   * While a stale key is serving, how long to wait after a failed refresh before trying again (default
   * 30 s, at most `ttlMs`), so an outage costs one call and one warning per interval, not per request.
   */
  readonly retryAfterMs?: number;
  /**
   * With no usable key, how long callers get 503 without a call after a failure (default 1 s); it
   * doubles with each failure in a row up to `maxBackoffMs` (default 30 s) and resets on success.
   */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Clock in milliseconds (default `Date.now`). */
  readonly now?: () => number;
  /** Log hook (the Lambda wires Powertools Logger to it); messages say what to fix. */
  readonly onEvent?: (event: SigningKeySourceEvent) => void;
}

/**
 * Reading the secret may take this long, retries and body included. With the JWKS deadline (also
 * 3 s) it leaves a login or sign request 4 s of its 10 s Lambda timeout; Secrets Manager answers in
 * tens of milliseconds when healthy, so 3 s is room for the SDK's two attempts, not a normal wait.
 */
export const DEFAULT_SECRETS_MANAGER_DEADLINE_MS = 3_000;
const DEFAULT_TTL_MS = 5 * 60_000;
const DEFAULT_MAX_STALE_MS = 60 * 60_000;
const DEFAULT_RETRY_AFTER_MS = 30_000;
const DEFAULT_MIN_BACKOFF_MS = 1_000;
const DEFAULT_MAX_BACKOFF_MS = 30_000;

/** What a caller (and so a viewer, via the 503 body) is told: nothing about the secret or the key. */
const UNAVAILABLE = 'the signing key is unavailable; try again shortly';

const FORMAT = '{"keyPairId","privateKey"} with an RSA-2048 or ECDSA P-256 PEM';

/** Errors after which the SDK itself would retry: nothing about the secret is wrong. */
const UNAVAILABLE_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'InternalServiceError',
  'InternalFailure',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

function malformed(secretId: string, detail: string): EdgepassError {
  return new EdgepassError('SIGNING_KEY_UNAVAILABLE', `secret ${secretId} is not ${FORMAT}: ${detail}`);
}

/** Field names help spot a typo (`privatekey`); anything not shaped like a name is not echoed. */
function fieldList(fields: Record<string, unknown>): string {
  const names = Object.keys(fields).map((name) => (/^[A-Za-z0-9_-]{1,40}$/.test(name) ? name : '…'));
  return names.length === 0 ? 'it has no fields' : `fields present: ${names.join(', ')}`;
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/**
 * Reads the signing secret's text (`{"keyPairId":"K2JCJMDEHXQW5F","privateKey":"-----BEGIN PRIVATE
 * KEY-----…"}`, the one documented format) and checks its shape: a CloudFront public key id and an unencrypted PEM
 * private key (PKCS#8, or PKCS#1 / SEC1). Whether CloudFront accepts the key itself is `loadSigningKey`'s
 * check. Errors are `SIGNING_KEY_UNAVAILABLE` naming the secret and the problem, never quoting its text.
 *
 * @example
 * const { keyPairId, privateKey } = parseSigningSecret(response.SecretString, 'edgepass/signing-key');
 */
export function parseSigningSecret(
  text: string,
  secretId: string,
): { keyPairId: string; privateKey: string; session?: SessionKey } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // JSON.parse's own message quotes the text: it must not reach a log.
    throw malformed(
      secretId,
      /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)
        ? 'it holds a bare PEM, not JSON (edgepass secret put writes the JSON)'
        : 'its SecretString is not JSON',
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw malformed(secretId, `its SecretString is ${describeJson(value)}, not a JSON object`);
  }
  const fields = value as Record<string, unknown>;
  const { keyPairId, privateKey } = fields;
  if (keyPairId === undefined) throw malformed(secretId, `keyPairId is missing (${fieldList(fields)})`);
  if (typeof keyPairId !== 'string') throw malformed(secretId, `keyPairId is ${describeJson(keyPairId)}, not a string`);
  if (!isKeyPairId(keyPairId)) {
    throw malformed(secretId, 'keyPairId is not a CloudFront public key id (letters and digits, e.g. K2JCJMDEHXQW5F)');
  }
  if (privateKey === undefined) throw malformed(secretId, `privateKey is missing (${fieldList(fields)})`);
  if (typeof privateKey !== 'string') {
    throw malformed(secretId, `privateKey is ${describeJson(privateKey)}, not a string`);
  }
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(privateKey)) {
    throw malformed(
      secretId,
      'privateKey is encrypted and the function has no passphrase; store it unencrypted (Secrets Manager encrypts it at rest)',
    );
  }
  if (!/-----BEGIN (?:RSA |EC )?PRIVATE KEY-----/.test(privateKey)) {
    throw malformed(
      secretId,
      /-----BEGIN (?:RSA )?PUBLIC KEY-----/.test(privateKey)
        ? 'privateKey holds a public key; store the private key'
        : 'privateKey is not a PEM private key (expected -----BEGIN PRIVATE KEY-----)',
    );
  }
  const session = parseSessionFields(fields, secretId);
  return session === undefined ? { keyPairId, privateKey } : { keyPairId, privateKey, session };
}

/**
 * The optional session-token HMAC key of the signing secret (`sessionKeyId` and `sessionKey`, both or
 * neither): the login Lambda MACs the CloudFront Functions gate's session token with it.
 */
function parseSessionFields(fields: Record<string, unknown>, secretId: string): SessionKey | undefined {
  const { sessionKeyId, sessionKey } = fields;
  if (sessionKeyId === undefined && sessionKey === undefined) return undefined;
  if (typeof sessionKeyId !== 'string' || !isSessionKeyId(sessionKeyId)) {
    throw malformed(secretId, 'sessionKeyId is not a session key id (1-64 letters and digits, e.g. S20261130)');
  }
  if (typeof sessionKey !== 'string' || !isSessionKeyText(sessionKey)) {
    throw malformed(
      secretId,
      'sessionKey is not base64url text of at least 32 bytes (edgepass keys rotate --session writes one)',
    );
  }
  return { keyId: sessionKeyId, key: sessionKey };
}

/** An upstream error as log text: its name and message, capped and escaped (servers write messages). */
function errorText(error: unknown): string {
  return logText(error instanceof Error ? `${error.name}: ${error.message}` : error);
}

function isUnavailable(error: { name?: string; code?: string; $metadata?: { httpStatusCode?: number } }): boolean {
  const status = error.$metadata?.httpStatusCode ?? 0;
  return (
    UNAVAILABLE_NAMES.has(error.name ?? '') || NETWORK_CODES.has(error.code ?? '') || status === 429 || status >= 500
  );
}

function timedOutMessage(secretId: string, detail: string): string {
  return (
    `Secrets Manager unavailable: reading secret ${secretId} timed out${detail}; if this persists, check the ` +
    'function can reach Secrets Manager (in a VPC: a NAT gateway or a secretsmanager VPC endpoint)'
  );
}

/** The cap a `ResponseTooLarge` carries, as text (`Number.isFinite` is false for anything but a number). */
function answerLimit(error: { limit?: unknown }): string {
  return Number.isFinite(error.limit) ? `${error.limit} bytes` : 'its cap';
}

/** Turns an SDK failure into a message an operator can act on. */
function describeServiceError(error: unknown, secretId: string): string {
  const failure = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: string;
    code?: string;
    message?: string;
    limit?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  switch (failure.name) {
    case 'ResourceNotFoundException':
      return (
        `secret ${secretId} does not exist (or has no current version): create it with ` +
        `\`edgepass secret put --secret-id ${secretId} --key-pair-id <public key id> --private-key private.pem --create\``
      );
    case 'AccessDeniedException':
      return `the function's role may not read secret ${secretId} (secretsmanager:GetSecretValue): grant it in the role's policy`;
    case 'DecryptionFailure':
      return `Secrets Manager cannot decrypt secret ${secretId}: the function's role needs kms:Decrypt on the secret's KMS key`;
    case 'CredentialsProviderError':
      return `no AWS credentials to read secret ${secretId}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or AWS_PROFILE`;
    case 'InvalidRequestException':
      return `Secrets Manager refuses to read secret ${secretId} (${logText(failure.message ?? 'invalid request')}): if it is scheduled for deletion, restore it`;
    // BoundedHttpHandler's error, matched by name: this entry point does not load the handler, and
    // the SDK appends a line about deserialization to the message.
    case 'ResponseTooLarge':
      return (
        `Secrets Manager's answer for secret ${secretId} is larger than ${answerLimit(failure)}, more than any ` +
        'secret (64 KiB at most); it was not read further: check that the endpoint (AWS_ENDPOINT_URL_SECRETS_MANAGER, a proxy) is Secrets Manager'
      );
  }
  if (/Region is missing/i.test(failure.message ?? '')) {
    return `no AWS region to find secret ${secretId} in: set AWS_REGION (Lambda sets it; serverless invoke local takes provider.region)`;
  }
  if (isUnavailable(failure)) {
    const timedOut = failure.code === 'ETIMEDOUT' || /timeout|timed out/i.test(failure.message ?? '');
    // The SDK names a dropped connection "TimeoutError" too; its code (ECONNRESET) says what happened.
    const reason = NETWORK_CODES.has(failure.code ?? '') ? failure.code : (failure.name ?? 'error');
    return timedOut
      ? timedOutMessage(secretId, '')
      : `Secrets Manager unavailable while reading secret ${secretId} (${reason})`;
  }
  return `cannot read secret ${secretId} from Secrets Manager: ${errorText(error)}`;
}

/** A failed fetch: `message` is what to fix; `cause` the SDK error behind it, if any. */
class FetchFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SigningKeyFetchFailure';
  }
}

/**
 * A signing key source backed by one Secrets Manager secret (`{"keyPairId","privateKey"}`). The key is
 * parsed once and reused:
 * - within `ttlMs` of its fetch, from memory;
 * - from `ttlMs` to `maxStaleMs`, still at once, while one background refresh (never two at a time)
 *   fetches the current version; a rotated version is served as soon as that refresh completes. A
 *   failed refresh (Secrets Manager down, a malformed rotated version) logs a warning and is retried
 *   after `retryAfterMs`; it never rejects anywhere;
 * - with no key, or one older than `maxStaleMs`, callers wait for the fetch (concurrent callers share
 *   it). If it fails, `get()` rejects with `EdgepassError('SIGNING_KEY_UNAVAILABLE')` (HTTP 503) whose
 *   `cause` says what to fix, `onEvent` reports the same at level `error`, and for a back-off delay
 *   (`minBackoffMs` doubling to `maxBackoffMs`) callers get that error at once, without a call.
 * Every call runs under `deadlineMs`, reading the answer and the SDK's retries included. Decisions
 * use the injected clock (`now`); nothing here sets a timer but the call's deadline.
 *
 * @example
 * const keys = createSecretsManagerKeySource({
 *   secretId: config.signingSecretId,
 *   client: createSecretsManagerClient(),
 *   onEvent: ({ level, message, ...rest }) => logger[level](message, rest),
 * });
 * const { keyPairId, key } = await keys.get();
 */
export function createSecretsManagerKeySource(options: SecretsManagerKeySourceOptions): SecretsManagerKeySource {
  const { secretId, client } = options;
  const ttlMs = milliseconds(options.ttlMs, DEFAULT_TTL_MS, 'ttlMs');
  const maxStaleMs = milliseconds(options.maxStaleMs, DEFAULT_MAX_STALE_MS, 'maxStaleMs');
  const retryAfterMs = Math.min(milliseconds(options.retryAfterMs, DEFAULT_RETRY_AFTER_MS, 'retryAfterMs'), ttlMs);
  const deadlineMs = deadlineMilliseconds(options.deadlineMs, DEFAULT_SECRETS_MANAGER_DEADLINE_MS, 'deadlineMs');
  const minBackoffMs = milliseconds(options.minBackoffMs, DEFAULT_MIN_BACKOFF_MS, 'minBackoffMs');
  const maxBackoffMs = milliseconds(options.maxBackoffMs, DEFAULT_MAX_BACKOFF_MS, 'maxBackoffMs', minBackoffMs);
  const now = options.now ?? Date.now;

  let good: { readonly material: SigningMaterial; fetchedAt: number } | undefined;
  /** With a stale key serving: no refresh before this time (set by a failed refresh). */
  let retryAt = Number.NEGATIVE_INFINITY;
  /** With no usable key: failures in a row, and until when callers get the last one without a call. */
  const backoff = new Backoff(minBackoffMs, maxBackoffMs);
  let lastFailure: EdgepassError | undefined;

  function emit(level: SigningKeySourceEvent['level'], message: string, cause?: unknown, fallback?: true): void {
    const event: SigningKeySourceEvent = {
      level,
      message,
      secretId,
      ...(cause === undefined ? {} : { cause: errorText(cause) }),
      ...(fallback === undefined ? {} : { fallback }),
    };
    try {
      options.onEvent?.(event);
    } catch {
      // A broken log hook must not take signing down with it.
    }
  }

  async function fetchMaterial(): Promise<SigningMaterial> {
    let response: GetSecretValueCommandOutput;
    // One deadline over the whole call: the SDK aborts its socket (and skips further attempts) on
    // it, and `abortable` answers at it even if the SDK is still reading a body or waiting to retry.
    const deadline = AbortSignal.timeout(deadlineMs);
    try {
      const command = new GetSecretValueCommand({ SecretId: secretId });
      response = await abortable(client.send(command, { abortSignal: deadline }), deadline);
    } catch (error) {
      if (deadline.aborted) {
        throw new FetchFailure(timedOutMessage(secretId, ` (deadline ${duration(deadlineMs)})`), { cause: error });
      }
      throw new FetchFailure(describeServiceError(error, secretId), { cause: error });
    }
    const versionId = response.VersionId;
    // Same version as the key in hand: nothing to parse.
    if (good !== undefined && versionId !== undefined && versionId === good.material.versionId) return good.material;
    if (response.SecretString === undefined) {
      throw new FetchFailure(
        response.SecretBinary === undefined
          ? `secret ${secretId} has no SecretString: store ${FORMAT} as SecretString`
          : `secret ${secretId} holds SecretBinary: store ${FORMAT} as SecretString instead (edgepass secret put does)`,
      );
    }
    let keyPairId: string;
    let key: SigningKey;
    let session: SessionKey | undefined;
    try {
      const parsed = parseSigningSecret(response.SecretString, secretId);
      keyPairId = parsed.keyPairId;
      session = parsed.session;
      key = loadSigningKey(parsed.privateKey);
    } catch (error) {
      if (isEdgepassError(error) && error.code === 'SIGNING_KEY_UNAVAILABLE') throw new FetchFailure(error.message);
      // loadSigningKey's messages describe the key (type, size), never its bytes; the crypto error
      // behind them ("DECODER routines::unsupported") tells an operator nothing more.
      const detail = isEdgepassError(error) ? error.message : 'the private key cannot be loaded';
      throw new FetchFailure(malformed(secretId, detail).message);
    }
    return session === undefined ? { keyPairId, key, versionId } : { keyPairId, key, versionId, session };
  }

  async function refresh(): Promise<SigningMaterial> {
    const previous = good?.material;
    try {
      const material = await fetchMaterial();
      good = { material, fetchedAt: now() };
      retryAt = Number.NEGATIVE_INFINITY;
      backoff.reset();
      lastFailure = undefined;
      if (material !== previous) {
        emit(
          'info',
          previous === undefined
            ? `loaded signing key ${material.keyPairId} from secret ${secretId} (version ${material.versionId})`
            : `picked up version ${material.versionId} of secret ${secretId}: now signing with key ${material.keyPairId} (was ${previous.keyPairId})`,
        );
      }
      return material;
    } catch (error) {
      const failure = error instanceof FetchFailure ? error : new FetchFailure(errorText(error), { cause: error });
      const t = now();
      const age = good === undefined ? undefined : t - good.fetchedAt;
      if (good !== undefined && age !== undefined && age < maxStaleMs) {
        retryAt = t + retryAfterMs;
        emit(
          'warn',
          `${failure.message}; still signing with key ${good.material.keyPairId} (version ${good.material.versionId}) ` +
            `fetched ${duration(age)} ago, for at most ${duration(maxStaleMs - age)} more`,
          failure.cause,
          true,
        );
        return good.material;
      }
      const message =
        age === undefined
          ? failure.message
          : `${failure.message}; the last good key is ${duration(age)} old, past maxStaleMs (${duration(maxStaleMs)}), so nothing can be signed`;
      backoff.fail(t);
      lastFailure = new EdgepassError('SIGNING_KEY_UNAVAILABLE', UNAVAILABLE, {
        cause: new FetchFailure(message, { cause: failure.cause }),
      });
      emit('error', message, failure.cause);
      throw lastFailure;
    }
  }

  const refreshes = new SingleFlight(refresh);

  return {
    async get() {
      const t = now();
      if (good !== undefined) {
        const age = t - good.fetchedAt;
        if (age < ttlMs) return good.material;
        if (age < maxStaleMs) {
          if (refreshes.current === undefined && t >= retryAt) refreshes.start();
          return good.material;
        }
      }
      if (refreshes.current !== undefined) return refreshes.current;
      // Right after a failure, asking again would cost every request a call (and the service a
      // request storm) for the same answer.
      if (lastFailure !== undefined && t < backoff.until) throw lastFailure;
      return refreshes.start();
    },
    settled: () => refreshes.settled(),
  };
}
