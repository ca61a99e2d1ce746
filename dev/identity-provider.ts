import { createPrivateKey, createPublicKey } from 'node:crypto';
import { exportJWK, type JWK, SignJWT } from 'jose';

/**
 * The dev identity provider, which exists only in the local stack: three demo users with different
 * claims, ES256 JWTs for them on demand, and the JWKS the login and sign functions verify them with
 * (the `local` stage of the configuration trusts it; no other stage can).
 */

export interface DevUser {
  readonly user: string;
  readonly description: string;
  readonly claims: Readonly<Record<string, unknown>>;
}

/** The demo users; the first may see everything the demo site holds. */
export const DEV_USERS: readonly DevUser[] = [
  {
    user: 'ada',
    description: 'premium: every video and report',
    claims: { sub: 'ada', name: 'Ada Lovelace', email: 'ada@example.com', groups: ['premium'] },
  },
  {
    user: 'bob',
    description: 'member: the free videos only',
    claims: { sub: 'bob', name: 'Bob Member', email: 'bob@example.com', groups: ['member'] },
  },
  {
    user: 'eve',
    description: 'no access: login answers 403',
    claims: { sub: 'eve', name: 'Eve Nobody', email: 'eve@example.com', groups: [] },
  },
];

/** Shortest and longest token lifetime a caller may ask for (short ones test session expiry). */
export const TOKEN_LIFETIME = { min: 5, max: 86_400, default: 3600 } as const;

export interface DevIdentityProvider {
  readonly issuer: string;
  readonly audience: string;
  readonly users: readonly DevUser[];
  readonly jwks: { readonly keys: readonly JWK[] };
  /** A signed JWT for a demo user, or `undefined` for an unknown one. */
  mint(user: string, expiresIn?: number): Promise<{ token: string; expiresAt: number } | undefined>;
}

/**
 * The provider for `issuer`/`audience`, signing with the ES256 key in `privateKeyPem`.
 *
 * @example
 * const idp = await createDevIdentityProvider({ issuer, audience: 'edgepass-local', privateKeyPem });
 * const { token } = (await idp.mint('ada')) ?? {};
 */
export async function createDevIdentityProvider(options: {
  readonly issuer: string;
  readonly audience: string;
  readonly privateKeyPem: string;
  readonly now?: () => number;
}): Promise<DevIdentityProvider> {
  const privateKey = createPrivateKey(options.privateKeyPem);
  const jwk = await exportJWK(createPublicKey(privateKey));
  const kid = `dev-${(jwk.x ?? '').slice(0, 8)}`;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  return {
    issuer: options.issuer,
    audience: options.audience,
    users: DEV_USERS,
    jwks: { keys: [{ ...jwk, kid, alg: 'ES256', use: 'sig' }] },
    async mint(user, expiresIn = TOKEN_LIFETIME.default) {
      const found = DEV_USERS.find((candidate) => candidate.user === user);
      if (found === undefined) return undefined;
      const issuedAt = now();
      const expiresAt = issuedAt + expiresIn;
      const token = await new SignJWT({ ...found.claims })
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
        .setIssuer(options.issuer)
        .setAudience(options.audience)
        .setIssuedAt(issuedAt)
        .setExpirationTime(expiresAt)
        .sign(privateKey);
      return { token, expiresAt };
    },
  };
}
