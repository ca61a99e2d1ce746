import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  decodeJwt,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  jwtVerify,
} from 'jose';
import { EdgepassError, isEdgepassError } from '../cloudfront/errors';
import type { IdentityProviderConfig } from '../config/schema';
import { jwksFetch } from './jwks-fetch';

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
  /** Least time between two remote JWKS fetches caused by an unknown `kid`, in ms. Default 30000. */
  cooldownMs?: number;
}

/**
 * A remote JWKS fetch may take this long, body included. With the Secrets Manager deadline (also 3 s)
 * it leaves a login or sign request 4 s of its 10 s Lambda timeout: a verification makes at most one
 * fetch (jose refetches for an unknown `kid` only after the cooldown).
 */
export const DEFAULT_JWKS_DEADLINE_MS = 3_000;

/** How long a fetched remote key set is used before it is fetched again (jose's default). */
const JWKS_CACHE_MAX_AGE_MS = 600_000;
const DEFAULT_MAX_TOKEN_BYTES = 16_384;
const MIN_HS256_SECRET_BYTES = 32;
const MIN_RSA_BITS = 2048;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const KEYS_UNAVAILABLE = 'identity provider keys unavailable';

type VerificationKey = KeyObject | Uint8Array | JWTVerifyGetKey;

interface Provider {
  readonly name: string;
  readonly key: VerificationKey;
  readonly options: Readonly<JWTVerifyOptions>;
}

/**
 * Builds a verifier for the JWTs of the configured identity providers. Key material is prepared
 * once, here: remote key sets are fetched lazily, cached, and refetched for an unknown `kid` at most
 * once per cooldown; static keys and HS256 secrets are checked now, so a bad provider fails at start
 * with `INVALID_CONFIG` naming it.
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
): TokenVerifier {
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
    byIssuer.set(config.issuer, {
      name: config.name,
      key: verificationKey(config, options),
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

function verificationKey(config: IdentityProviderConfig, options: TokenVerifierOptions): VerificationKey {
  if (config.jwksUrl !== undefined) return remoteKeySet(config, config.jwksUrl, options);
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

function remoteKeySet(config: IdentityProviderConfig, url: string, options: TokenVerifierOptions): JWTVerifyGetKey {
  const deadlineMs = options.fetchTimeoutMs ?? DEFAULT_JWKS_DEADLINE_MS;
  let keySet: JWTVerifyGetKey;
  try {
    keySet = createRemoteJWKSet(new URL(url), {
      timeoutDuration: deadlineMs,
      cooldownDuration: options.cooldownMs ?? 30_000,
      cacheMaxAge: JWKS_CACHE_MAX_AGE_MS,
      // jose's timeout covers fetch(); this one also covers reading the body, and caps its size.
      [customFetch]: jwksFetch(deadlineMs),
    });
  } catch (error) {
    throw configError(config, `cannot use jwksUrl: ${(error as Error).message}`, error);
  }
  return async (header, token) => {
    try {
      return await keySet(header, token);
    } catch (error) {
      if (TOKEN_KEY_ERRORS.has(errorCode(error) ?? '')) throw error;
      // Timeouts, refused connections, non-200 answers and unusable key sets: the caller answers
      // 503, not 401, since the token may well be valid.
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
    try {
      createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    } catch (error) {
      throw configError(config, `jwks.keys.${index} is not a usable public key`, error);
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
