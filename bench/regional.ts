/**
 * What the regional-handler benchmarks need besides the code under test: an identity provider
 * minting real ES256 JWTs (jose) and API Gateway HTTP API payload 2.0 events. Same shapes as
 * test/fixtures/identity-provider.ts and test/fixtures/regional.ts, which bench/ does not import.
 */
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { IdentityProviderConfig } from '../shared/config/schema';

export interface BenchIdentityProvider {
  /** The static-JWKS form of this provider, ready for `parseConfig` and `createTokenVerifier`. */
  readonly config: IdentityProviderConfig;
  /** Signs an ES256 JWT: `iss`, `aud`, `iat` = `now`, `exp` = `now + expiresIn`, then `claims`. */
  mint(claims: Readonly<Record<string, unknown>>, expiresIn?: number): Promise<string>;
}

/**
 * A real identity provider: a fresh P-256 key pair (jose `generateKeyPair`), its public key as a
 * static JWKS in the config, tokens minted on the clock `now` (epoch seconds).
 */
export async function benchIdentityProvider(now: number): Promise<BenchIdentityProvider> {
  const alg = 'ES256';
  const kid = 'bench-key-1';
  const issuer = 'https://idp.example.com/';
  const audience = 'edgepass';
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return {
    config: {
      name: 'bench-idp',
      issuer,
      audience,
      algorithms: [alg],
      clockToleranceSeconds: 30,
      requiredClaims: [],
      jwks: { keys: [jwk as Record<string, unknown>] },
    },
    mint: (claims, expiresIn = 3600) =>
      new SignJWT({ ...claims })
        .setProtectedHeader({ alg, typ: 'JWT', kid })
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt(now)
        .setExpirationTime(now + expiresIn)
        .sign(privateKey),
  };
}

// The event shape is shared with the tests (no test-runner dependency in it).
export { httpApiEvent } from '../test/fixtures/http-api-event';
