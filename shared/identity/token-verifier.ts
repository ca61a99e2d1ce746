import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, type JWTVerifyGetKey, type JWTVerifyOptions, jwtVerify } from 'jose';
import { EdgepassError, isEdgepassError } from '../cloudfront/errors';
import type { IdentityProviderConfig } from '../config/schema';
import { createRemoteKeySet, type KeySetEvent, type RemoteKeySet } from './remote-key-set';

export type { KeySetEvent } from './remote-key-set';

/** A JWT whose signature, issuer, audience, algorithm and times have been checked. */
export interface VerifiedToken {
  /** `name` of the identity provider that issued the token. */
  readonly provider: string;
  /** The verified claims set (a frozen copy). */
  readonly claims: Readonly<Record<string, unknown>>;
  /** The token's `exp`, in whole epoch seconds. */
  readonly expiresAt: number;
}

export interface TokenVerifier {
  /**
   * Resolves with the verified token, or rejects with an `EdgepassError`: `TOKEN_MISSING`,
   * `TOKEN_INVALID`, `TOKEN_EXPIRED`, or `IDP_UNAVAILABLE` ("identity provider keys unavailable") when a
   * remote key set cannot be fetched.
   */
  verify(token: string): Promise<VerifiedToken>;
}

/** What `createTokenVerifier` returns: a `TokenVerifier` whose background key set fetches can be waited for. */
export interface RefreshingTokenVerifier extends TokenVerifier {
  /**
   * Resolves once no remote key set fetch is in flight (never rejects): `verify` does not wait for a
   * background refresh, so tests, and anything that wants the newest keys, wait here.
   */
  settled(): Promise<void>;
}

export interface TokenVerifierOptions {
  /** Longer tokens are refused before any parsing or crypto. Default 16384. */
  maxTokenBytes?: number;
  /** Where `hs256SecretEnv` secrets are read from. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Clock in epoch seconds (tests pin it). Default: the system clock. */
  now?: () => number;
  /**
   * Deadline of one remote JWKS fetch in ms, from the request to the last byte of the body.
   * Default `DEFAULT_JWKS_DEADLINE_MS` (3000).
   */
  fetchTimeoutMs?: number;
  /**
   * Least time in ms between the start of a remote JWKS fetch (whatever caused it, however it ended)
   * and a fetch caused by a token whose `kid` matches no key. Default 30000.
   */
  cooldownMs?: number;
  /** Age in ms at which a remote key set is refreshed in the background while it keeps serving. Default 600000 (10 min). */
  jwksRefreshAfterMs?: number;
  /**
   * Age in ms past which a remote key set that could not be refreshed is no longer used: its tokens
   * then get `IDP_UNAVAILABLE`. Default 86400000 (24 h).
   */
  jwksMaxStaleMs?: number;
  /** After a failed JWKS fetch, no fetch of that set for this long, doubling per failure in a row. Default 1000. */
  jwksMinBackoffMs?: number;
  /** The longest back-off between two JWKS fetches of a failing provider. Default 30000. */
  jwksMaxBackoffMs?: number;
  /** Clock of the remote key set caches in milliseconds (tests drive it). Default `Date.now`. Not the token clock `now`. */
  jwksNow?: () => number;
  /** Log hook for remote key set fetch failures and recoveries (the Lambda wires its logger to it). */
  onKeySetEvent?: (event: KeySetEvent) => void;
}

/**
 * A remote JWKS fetch may take this long, body included. With the Secrets Manager deadline (also 3 s)
 * it leaves a login or sign request 4 s of its 10 s Lambda timeout: a verification waits for at most
 * one fetch (a usable set is refreshed in the background; an unknown `kid` causes a fetch only after
 * the cooldown).
 */
export const DEFAULT_JWKS_DEADLINE_MS = 3_000;
const DEFAULT_MAX_TOKEN_BYTES = 16_384;
const MIN_HS256_SECRET_BYTES = 32;
const MIN_RSA_BITS = 2048;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const KEYS_UNAVAILABLE = 'identity provider keys unavailable';

type VerificationKey = KeyObject | Uint8Array | JWTVerifyGetKey;

interface Provider {
  readonly name: string;
  readonly key: VerificationKey;
  readonly remote: RemoteKeySet | undefined;
  readonly options: Readonly<JWTVerifyOptions>;
}

/**
 * Builds a verifier for the JWTs of the configured identity providers. Key material is prepared
 * once, here: remote key sets are fetched lazily and cached (`createRemoteKeySet`: refreshed in the
 * background after 10 min, served stale through an outage for up to 24 h, fetched again after a
 * failure only once per back-off delay, and for an unknown `kid` at most once per cooldown); static
 * keys and HS256 secrets are checked now, so a bad provider fails at start with `INVALID_CONFIG`
 * naming it.
 *
 * A token is routed to the provider whose `issuer` equals its `iss`, then verified with that
 * provider's keys, algorithms, audience, clock tolerance and required claims (`exp` always).
 *
 * @example
 * const verifier = createTokenVerifier(config.identityProviders, { maxTokenBytes: config.limits.maxTokenBytes });
 * const { provider, claims, expiresAt } = await verifier.verify(bearerToken);
 */
export function createTokenVerifier(
  providers: readonly IdentityProviderConfig[],
  options: TokenVerifierOptions = {},
): RefreshingTokenVerifier {
  const maxTokenBytes = options.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES;
  const now = options.now;
  const byIssuer = new Map<string, Provider>();
  for (const config of providers) {
    if (byIssuer.has(config.issuer)) {
      throw new EdgepassError(
        'INVALID_CONFIG',
        `identity provider "${config.name}": issuer ${JSON.stringify(config.issuer)} is already used by another provider`,
      );
    }
    const key = verificationKey(config, options);
    byIssuer.set(config.issuer, {
      name: config.name,
      key: key.verify,
      remote: key.remote,
      options: {
        issuer: config.issuer,
        audience: config.audience,
        algorithms: [...config.algorithms],
        clockTolerance: config.clockToleranceSeconds,
        requiredClaims: ['exp', ...config.requiredClaims],
      },
    });
  }

  return {
    async verify(token: string): Promise<VerifiedToken> {
      if (token === undefined || token === null || token === '') {
        throw new EdgepassError('TOKEN_MISSING', 'token is missing');
      }
      if (typeof token !== 'string') throw new EdgepassError('TOKEN_INVALID', 'token is malformed');
      // Length in UTF-16 units first (cheap, and never below the byte length of an ASCII token); a
      // non-ASCII token is refused by the shape check right after.
      if (token.length > maxTokenBytes) throw new EdgepassError('TOKEN_INVALID', 'token too large');
      if (!COMPACT_JWS.test(token)) throw new EdgepassError('TOKEN_INVALID', 'token is malformed');

      // The unverified payload is read only to pick the provider; its claims are never returned.
      let issuer: unknown;
      try {
        issuer = decodeJwt(token).iss;
      } catch (error) {
        throw new EdgepassError('TOKEN_INVALID', 'token is malformed', { cause: error });
      }
      const provider = typeof issuer === 'string' ? byIssuer.get(issuer) : undefined;
      if (provider === undefined) throw new EdgepassError('TOKEN_INVALID', 'token issuer is not accepted');

      const verifyOptions: JWTVerifyOptions =
        now === undefined ? provider.options : { ...provider.options, currentDate: currentDate(now) };
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtVerify(token, provider.key, verifyOptions));
      } catch (error) {
        throw tokenError(error);
      }
      // jose has checked that `exp` is present and a number.
      const expiresAt = Math.floor(payload.exp as number);
      return { provider: provider.name, claims: Object.freeze({ ...payload }), expiresAt };
    },
    async settled() {
      await Promise.all([...byIssuer.values()].map((provider) => provider.remote?.settled()));
    },
  };
}

function currentDate(now: () => number): Date {
  const seconds = now();
  // Fail closed: a broken clock must not make every token look fresh (or expired).
  if (!Number.isFinite(seconds)) throw new EdgepassError('INTERNAL', 'clock unavailable');
  return new Date(seconds * 1000);
}

function configError(config: IdentityProviderConfig, message: string, cause?: unknown): EdgepassError {
  return new EdgepassError(
    'INVALID_CONFIG',
    `identity provider "${config.name}": ${message}`,
    cause === undefined ? undefined : { cause },
  );
}

function verificationKey(
  config: IdentityProviderConfig,
  options: TokenVerifierOptions,
): { verify: VerificationKey; remote: RemoteKeySet | undefined } {
  if (config.jwksUrl === undefined) return { verify: staticKey(config, options), remote: undefined };
  const remote = remoteKeySet(config, config.jwksUrl, options);
  return { verify: remoteKeyErrors(remote), remote };
}

function staticKey(config: IdentityProviderConfig, options: TokenVerifierOptions): VerificationKey {
  if (config.jwks !== undefined) return localKeySet(config, config.jwks);
  if (config.publicKey !== undefined) return publicKeyObject(config, config.publicKey);
  if (config.hs256SecretEnv !== undefined)
    return hs256Secret(config, config.hs256SecretEnv, options.env ?? process.env);
  throw configError(config, 'no key source (jwksUrl, jwks, publicKey or hs256SecretEnv)');
}

/** Errors of a remote key set that are about the token (its `kid` or `alg`), not about the fetch. */
const TOKEN_KEY_ERRORS = new Set([
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JOSE_NOT_SUPPORTED',
]);

function remoteKeySet(config: IdentityProviderConfig, url: string, options: TokenVerifierOptions): RemoteKeySet {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw configError(config, `cannot use jwksUrl: ${(error as Error).message}`, error);
  }
  return createRemoteKeySet(parsed, {
    provider: config.name,
    deadlineMs: options.fetchTimeoutMs ?? DEFAULT_JWKS_DEADLINE_MS,
    ...(options.cooldownMs === undefined ? {} : { cooldownMs: options.cooldownMs }),
    ...(options.jwksRefreshAfterMs === undefined ? {} : { refreshAfterMs: options.jwksRefreshAfterMs }),
    ...(options.jwksMaxStaleMs === undefined ? {} : { maxStaleMs: options.jwksMaxStaleMs }),
    ...(options.jwksMinBackoffMs === undefined ? {} : { minBackoffMs: options.jwksMinBackoffMs }),
    ...(options.jwksMaxBackoffMs === undefined ? {} : { maxBackoffMs: options.jwksMaxBackoffMs }),
    ...(options.jwksNow === undefined ? {} : { now: options.jwksNow }),
    ...(options.onKeySetEvent === undefined ? {} : { onEvent: options.onKeySetEvent }),
  });
}

/**
 * Timeouts, refused connections, non-200 answers, redirects and unusable key sets become
 * `IDP_UNAVAILABLE` (503, not 401: the token may well be valid); `kid` and `alg` mismatches stay
 * jose's, for `tokenError` to call the token invalid.
 */
function remoteKeyErrors(keySet: RemoteKeySet): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await keySet(header, token);
    } catch (error) {
      if (TOKEN_KEY_ERRORS.has(errorCode(error) ?? '')) throw error;
      throw new EdgepassError('IDP_UNAVAILABLE', KEYS_UNAVAILABLE, { cause: error });
    }
  };
}

function localKeySet(
  config: IdentityProviderConfig,
  jwks: NonNullable<IdentityProviderConfig['jwks']>,
): JWTVerifyGetKey {
  jwks.keys.forEach((jwk, index) => {
    // A private or symmetric key here means a secret leaked into the configuration.
    if ('d' in jwk || 'k' in jwk || jwk.kty === 'oct') {
      throw configError(config, `jwks.keys.${index} is not a public key (remove it and rotate it)`);
    }
    let key: KeyObject;
    try {
      key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    } catch (error) {
      throw configError(config, `jwks.keys.${index} is not a usable public key`, error);
    }
    // The same floor as a PEM publicKey: jose would refuse every token signed by a weaker key, one by one.
    const bits = key.asymmetricKeyDetails?.modulusLength;
    if (bits !== undefined && bits < MIN_RSA_BITS) {
      throw configError(config, `jwks.keys.${index} is a ${bits}-bit RSA key; at least ${MIN_RSA_BITS} bits`);
    }
  });
  try {
    return createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]);
  } catch (error) {
    throw configError(config, 'jwks is not a JSON Web Key Set', error);
  }
}

const EC_CURVES: Readonly<Record<string, string>> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' };

function publicKeyObject(config: IdentityProviderConfig, pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (error) {
    throw configError(config, 'publicKey is not a readable PEM public key', error);
  }
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  for (const alg of config.algorithms) {
    const fits =
      alg.startsWith('RS') || alg.startsWith('PS')
        ? (type === 'rsa' || (alg.startsWith('PS') && type === 'rsa-pss')) &&
          (details.modulusLength ?? 0) >= MIN_RSA_BITS
        : alg.startsWith('ES')
          ? type === 'ec' && details.namedCurve === EC_CURVES[alg]
          : alg === 'EdDSA' && type === 'ed25519';
    if (!fits) throw configError(config, `publicKey (${type ?? 'unknown'}) cannot verify ${alg} tokens`);
  }
  return key;
}

function hs256Secret(
  config: IdentityProviderConfig,
  variable: string,
  env: Record<string, string | undefined>,
): Uint8Array {
  const value = env[variable];
  if (value === undefined || value === '') throw configError(config, `environment variable ${variable} is not set`);
  const secret = new TextEncoder().encode(value);
  if (secret.byteLength < MIN_HS256_SECRET_BYTES) {
    throw configError(config, `environment variable ${variable} must hold at least ${MIN_HS256_SECRET_BYTES} bytes`);
  }
  return secret;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

const CLAIM_MESSAGES: Readonly<Record<string, string>> = {
  iss: 'token issuer is not accepted',
  aud: 'token audience is not accepted',
  nbf: 'token is not valid yet',
};

const CODE_MESSAGES: Readonly<Record<string, string>> = {
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'token signature is invalid',
  ERR_JOSE_ALG_NOT_ALLOWED: 'token algorithm is not allowed',
  ERR_JOSE_NOT_SUPPORTED: 'token uses an unsupported feature',
  ERR_JWKS_NO_MATCHING_KEY: "no key for the token's kid",
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'several keys match the token; it needs a kid',
  ERR_JWS_INVALID: 'token is malformed',
  ERR_JWT_INVALID: 'token is malformed',
};

/** Maps a jose failure to a short, stable message; branch on `code`, as minifiers rename classes. */
function tokenError(error: unknown): EdgepassError {
  if (isEdgepassError(error)) return error;
  const code = errorCode(error);
  if (code === 'ERR_JWT_EXPIRED') return new EdgepassError('TOKEN_EXPIRED', 'token has expired', { cause: error });
  let message = (code !== undefined ? CODE_MESSAGES[code] : undefined) ?? 'token is not valid';
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
    const { claim, reason } = error as { claim?: unknown; reason?: unknown };
    const name = typeof claim === 'string' ? claim : 'required';
    // Claim names here come from the configuration or from jose, never from the token.
    if (reason === 'missing') message = `token is missing the ${name} claim`;
    else if (reason === 'invalid') message = `token ${name} claim is invalid`;
    else message = CLAIM_MESSAGES[name] ?? 'token claims are not accepted';
  }
  return new EdgepassError('TOKEN_INVALID', message, { cause: error });
}
