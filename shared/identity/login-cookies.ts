import { encodeCloudFrontBase64 } from '../cloudfront/base64';
import { EdgepassError } from '../cloudfront/errors';
import { customPolicy, MAX_EPOCH_SECONDS } from '../cloudfront/policy';
import { signCookies } from '../cloudfront/sign';
import type { SigningKey } from '../cloudfront/signing-key';
import { SIGNING_COOKIES } from '../cloudfront/signing-params';
import type { AccessRuleConfig, CookieConfig } from '../config/schema';
import { issueSessionToken, SESSION_COOKIE } from '../edge/session-token';
import { type Grant, MAX_CLAIM_BYTES, resourceFor } from './access-policy';
import { credentialExpiresAt } from './credential-expiry';
import { sessionHmac } from './session-hmac';
import { expiredCookieValue, setCookieValue } from './set-cookie';

/** Browsers keep cookies up to 4,096 bytes (name, value and attributes). */
export const MAX_COOKIE_BYTES = 4096;

/**
 * The cookie `Path` of a grant. One grant: the configured path (default `/`). Several: each grant's
 * static prefix up to its last `/` before a wildcard or template (`/videos/*` → `/videos/`,
 * `/users/{sub}/*` → `/users/`), so the browser sends each policy only where it applies and logout
 * can name every Path without knowing the claims.
 */
export function cookiePathFor(rule: AccessRuleConfig, grantPath: string, cookie: CookieConfig): string {
  if (rule.grants.length === 1) return cookie.path;
  const dynamic = grantPath.search(/[*{]/);
  const fixed = dynamic === -1 ? grantPath : grantPath.slice(0, dynamic);
  return fixed.slice(0, fixed.lastIndexOf('/') + 1);
}

/** Every cookie Path login can set, for logout. */
export function allCookiePaths(rules: readonly AccessRuleConfig[], cookie: CookieConfig): string[] {
  const paths = new Set<string>([cookie.path]);
  for (const rule of rules) for (const grant of rule.grants) paths.add(cookiePathFor(rule, grant.path, cookie));
  return [...paths];
}

/**
 * Refuses, at startup, a configuration whose cookies could not work: two grants of one rule sharing
 * a cookie Path (the second set would overwrite the first), or a policy cookie that could exceed the
 * browser's 4 KB limit for the longest domain and template values.
 */
export function checkCookieConfig(
  rules: readonly AccessRuleConfig[],
  cookie: CookieConfig,
  scheme: string,
  domains: readonly string[],
): void {
  const longestDomain = domains.reduce((a, b) => (b.length > a.length ? b : a), '');
  for (const rule of rules) {
    const seen = new Map<string, string>();
    for (const grant of rule.grants) {
      const path = cookiePathFor(rule, grant.path, cookie);
      const other = seen.get(path);
      if (other !== undefined) {
        throw new EdgepassError(
          'INVALID_CONFIG',
          `edgepass config: accessRules ${rule.name}: grants ${other} and ${grant.path} would share cookie Path ${path}; use one wildcard grant`,
        );
      }
      seen.set(path, grant.path);
      // Worst case: every template filled with the longest value, every byte percent-encoded, and
      // both times as long as CloudFront allows (login cookies always carry a start time).
      const worstPath = grant.path.replace(/\{[^}]+\}/g, '%XX'.repeat(MAX_CLAIM_BYTES));
      const policy = customPolicy({
        resource: `${scheme}://${longestDomain}${worstPath}`,
        dateLessThan: MAX_EPOCH_SECONDS,
        dateGreaterThan: MAX_EPOCH_SECONDS,
      });
      const line = setCookieValue('CloudFront-Policy', encodeCloudFrontBase64(policy), {
        domain: cookie.domain,
        path,
        expires: cookie.session ? undefined : MAX_EPOCH_SECONDS,
        now: 0,
        sameSite: cookie.sameSite,
      });
      if (line.length > MAX_COOKIE_BYTES) {
        throw new EdgepassError(
          'INVALID_CONFIG',
          `edgepass config: accessRules ${rule.name}: the cookie for ${grant.path} could reach ${line.length} bytes, over the browser limit of ${MAX_COOKIE_BYTES}; shorten the path or its templates`,
        );
      }
    }
  }
}

export interface IssuedCookies {
  /** `Set-Cookie` values, three (or four with SHA-256) per grant. */
  readonly setCookies: string[];
  readonly grants: { readonly path: string; readonly expiresAt: number }[];
  /** The earliest expiry among the grants. */
  readonly expiresAt: number;
}

/** The session token's HMAC key: the CloudFront Functions gate is configured (`functionGate`). */
export interface SessionTokenKey {
  readonly keyId: string;
  readonly key: string;
}

export interface IssueOptions {
  readonly rule: AccessRuleConfig;
  readonly grants: readonly Grant[];
  /** `scheme://host` of the protected content. */
  readonly origin: string;
  readonly keyPairId: string;
  readonly key: SigningKey;
  readonly cookie: CookieConfig;
  readonly now: number;
  /** The JWT's `exp`: cookies never outlive the identity that earned them. */
  readonly tokenExpiresAt: number;
  /**
   * With the CloudFront Functions gate: the key to MAC each grant's session token with. The token
   * binds the grant's resource and the cookies' own expiry, and is set with the same attributes.
   */
  readonly session?: SessionTokenKey | undefined;
}

/**
 * Signs one custom-policy cookie set per grant, each expiring at the grant's max TTL capped by the
 * token's expiry (`credentialExpiresAt`: an expired token is `TOKEN_EXPIRED`), with the configured
 * attributes and the grant's cookie Path.
 */
export function issueLoginCookies(options: IssueOptions): IssuedCookies {
  const setCookies: string[] = [];
  const grants: { path: string; expiresAt: number }[] = [];
  options.grants.forEach((grant, index) => {
    const configured = options.rule.grants[index];
    if (configured === undefined) throw new EdgepassError('INTERNAL', 'grant does not belong to its rule');
    const expiresAt = credentialExpiresAt({
      now: options.now,
      ttlSeconds: grant.maxTtlSeconds,
      tokenExpiresAt: options.tokenExpiresAt,
    });
    const cookies = signCookies(resourceFor(grant, options.origin), {
      keyPairId: options.keyPairId,
      privateKey: options.key,
      expires: expiresAt,
      now: options.now,
      // Custom policy even for a plain path: canned cookies would be bound to one exact URL.
      notBefore: options.now - 60,
    });
    const attributes = {
      domain: options.cookie.domain,
      path: cookiePathFor(options.rule, configured.path, options.cookie),
      expires: options.cookie.session ? undefined : expiresAt,
      now: options.now,
      sameSite: options.cookie.sameSite,
    };
    for (const [name, value] of Object.entries(cookies)) setCookies.push(setCookieValue(name, value, attributes));
    const session = options.session;
    if (session !== undefined) {
      // The same resource and expiry as the policy just signed: the token never outlives the cookies.
      const token = issueSessionToken(
        { keyId: session.keyId, expires: expiresAt, resource: resourceFor(grant, options.origin) },
        session.key,
        sessionHmac,
      );
      setCookies.push(setCookieValue(SESSION_COOKIE, token, attributes));
    }
    grants.push({ path: grant.path, expiresAt });
  });
  return { setCookies, grants, expiresAt: Math.min(...grants.map((g) => g.expiresAt)) };
}

/**
 * The deletions of `logout` (`logoutCookies`, computed once per configuration) that `issued` does not
 * set again (same name and Path), put before the new ones: a login as another user (or with fewer
 * grants, or with a key of another hash algorithm) must not leave the previous cookies working beside
 * its own.
 */
export function staleCookies(logout: readonly string[], issued: readonly string[]): string[] {
  /** A cookie as a browser keys it: name and Path. */
  const key = (line: string) => `${line.slice(0, line.indexOf('='))} ${/; Path=([^;]*)/.exec(line)?.[1]}`;
  const set = new Set(issued.map(key));
  return logout.filter((line) => !set.has(key(line)));
}

/**
 * `Set-Cookie` values that delete every cookie login may have set (same Domain and Path), the session
 * token's too when `session` (the CloudFront Functions gate is configured).
 */
export function logoutCookies(rules: readonly AccessRuleConfig[], cookie: CookieConfig, session = false): string[] {
  const out: string[] = [];
  const names: readonly string[] = session ? [...SIGNING_COOKIES, SESSION_COOKIE] : SIGNING_COOKIES;
  for (const path of allCookiePaths(rules, cookie)) {
    for (const name of names) {
      out.push(expiredCookieValue(name, { domain: cookie.domain, path, sameSite: cookie.sameSite }));
    }
  }
  return out;
}
