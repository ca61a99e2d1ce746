import { EdgepassError } from '../cloudfront/errors';
import type { EdgepassConfig } from '../config/schema';
import { safeReturnTo } from '../edge/return-to';
import type { SigningKeySource } from '../identity/signing-key-source';
import { grantsFor } from './access-policy';
import { contentOrigin } from './content-origin';
import { issueLoginCookies, logoutCookies, staleCookies } from './login-cookies';
import type { TokenVerifier } from './token-verifier';

export interface LoginDependencies {
  readonly config: EdgepassConfig;
  readonly tokens: TokenVerifier;
  readonly keys: SigningKeySource;
  /** Epoch seconds. */
  readonly now: () => number;
}

export interface LoginInput {
  readonly token: string | undefined;
  /** The Host the request came in on (the content domain when routed through the distribution). */
  readonly host: string | undefined;
  /** `return_to` from a form POST: answered with a 303 to it when it is safe. */
  readonly returnTo?: string | undefined;
}

export interface LoginOutcome {
  readonly status: 200 | 303;
  readonly body: { readonly expiresAt: number; readonly grants: readonly { path: string; expiresAt: number }[] };
  readonly setCookies: readonly string[];
  readonly location?: string;
  /** For logs and metrics. */
  readonly provider: string;
  readonly rule: string;
}

/** Refusals of a presented identity; not a missing token, a cross-site form, or an outage of ours. */
const CLEARING_REFUSALS: ReadonlySet<string> = new Set([
  'TOKEN_INVALID',
  'TOKEN_EXPIRED',
  'FORBIDDEN_RESOURCE',
  'CLAIM_UNUSABLE',
]);

/**
 * Login, refresh and logout over injected dependencies (token verifier, signing key source, clock).
 * The configuration comes from `parseConfig`, which has already refused cookies that could not work.
 */
export function createLoginService(deps: LoginDependencies) {
  const { config } = deps;
  const returnHosts = [...config.domains, ...config.returnHosts];
  const logout = logoutCookies(config.accessRules, config.cookie, config.functionGate !== undefined);

  /** Verifies the JWT, maps claims to grants and signs one cookie set per grant. */
  async function login(input: LoginInput): Promise<LoginOutcome> {
    if (input.token === undefined || input.token === '') {
      throw new EdgepassError('TOKEN_MISSING', 'send the JWT as "Authorization: Bearer <token>" or a token field');
    }
    const identity = await deps.tokens.verify(input.token);
    const grants = grantsFor(config.accessRules, identity.claims);
    const rule = config.accessRules.find((r) => r.name === grants[0]?.rule);
    if (rule === undefined) throw new EdgepassError('FORBIDDEN_RESOURCE', 'no access rule matches this identity');
    const material = await deps.keys.get();
    if (config.functionGate !== undefined && material.session === undefined) {
      // The function would deny every browser this login sends there: say what to fix instead.
      throw new EdgepassError('SIGNING_KEY_UNAVAILABLE', 'the signing key is unavailable; try again shortly', {
        cause: new Error(
          `functionGate is configured but the signing secret (version ${material.versionId}) has no sessionKeyId/sessionKey: write them with edgepass keys rotate --session`,
        ),
      });
    }
    const now = deps.now();
    const issued = issueLoginCookies({
      rule,
      grants,
      origin: contentOrigin(config, input.host),
      keyPairId: material.keyPairId,
      key: material.key,
      cookie: config.cookie,
      now,
      tokenExpiresAt: identity.expiresAt,
      session: config.functionGate === undefined ? undefined : material.session,
    });
    const body = { expiresAt: issued.expiresAt, grants: issued.grants };
    const setCookies = [...staleCookies(logout, issued.setCookies), ...issued.setCookies];
    const base = { body, setCookies, provider: identity.provider, rule: rule.name };
    if (input.returnTo !== undefined) {
      const target = safeReturnTo(input.returnTo, { allowedHosts: returnHosts }) ?? '/';
      return { ...base, status: 303, location: target };
    }
    return { ...base, status: 200 };
  }

  return {
    login,
    /**
     * What a refused login answers besides its error: for a presented token that is not accepted
     * (invalid, expired, or granting nothing), every cookie login may have set is deleted, so a
     * shared browser never keeps the previous user's access after someone else's attempt.
     */
    refusalCookies: (code: string): readonly string[] => (CLEARING_REFUSALS.has(code) ? logout : []),
    /** Re-issues cookies while the JWT is still valid (same checks as login). */
    refresh: login,
    /** `Set-Cookie` values that delete every cookie login may have set, and where a form goes next. */
    logout: (returnTo?: string): { setCookies: readonly string[]; location: string | undefined } => ({
      setCookies: logout,
      location: returnTo === undefined ? undefined : (safeReturnTo(returnTo, { allowedHosts: returnHosts }) ?? '/'),
    }),
  };
}

export type LoginService = ReturnType<typeof createLoginService>;
