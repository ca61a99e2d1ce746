/** Attributes every CloudFront cookie of one response shares. */
export interface CookieAttributes {
  /** `Domain`; omitted means the host that sets the cookie. */
  readonly domain?: string | undefined;
  readonly path: string;
  /** Epoch seconds; the browser drops the cookie when the policy stops working. Omitted: a session cookie. */
  readonly expires?: number | undefined;
  /** Epoch seconds now: adds `Max-Age` (preferred by browsers over `Expires`, immune to client clock skew). */
  readonly now?: number | undefined;
  /** `Lax` unless configured: Strict would drop the cookie on the return from an identity provider. */
  readonly sameSite?: 'Lax' | 'Strict' | 'None' | undefined;
}

/**
 * One `Set-Cookie` header value for a CloudFront cookie, always `Secure; HttpOnly`.
 *
 * @example
 * setCookieValue('CloudFront-Key-Pair-Id', 'K2JCJMDEHXQW5F', { path: '/', expires: 1795870800 })
 * // 'CloudFront-Key-Pair-Id=K2JCJMDEHXQW5F; Path=/; Expires=Sat, 28 Nov 2026 13:00:00 GMT; Secure; HttpOnly; SameSite=Lax'
 */
export function setCookieValue(name: string, value: string, attributes: CookieAttributes): string {
  let out = `${name}=${value}`;
  if (attributes.domain !== undefined) out += `; Domain=${attributes.domain}`;
  out += `; Path=${attributes.path}`;
  if (attributes.expires !== undefined) {
    if (attributes.now !== undefined) out += `; Max-Age=${Math.max(0, attributes.expires - attributes.now)}`;
    out += `; Expires=${new Date(attributes.expires * 1000).toUTCString()}`;
  }
  return `${out}; Secure; HttpOnly; SameSite=${attributes.sameSite ?? 'Lax'}`;
}

/**
 * A `Set-Cookie` value that deletes a cookie: browsers only drop it when Domain and Path are the ones
 * it was set with.
 *
 * @example
 * expiredCookieValue('CloudFront-Policy', { path: '/videos/' })
 * // 'CloudFront-Policy=; Path=/videos/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; SameSite=Lax'
 */
export function expiredCookieValue(name: string, attributes: Omit<CookieAttributes, 'expires' | 'now'>): string {
  return setCookieValue(name, '', { ...attributes, expires: 0, now: 0 });
}

const DOMAIN = /^\.?[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/**
 * True for a host name usable as a cookie `Domain` (an optional leading dot is tolerated).
 *
 * @example
 * isCookieDomain('example.com') // true
 * isCookieDomain('example.com; Secure') // false
 */
export function isCookieDomain(domain: string): boolean {
  return domain.length <= 253 && DOMAIN.test(domain);
}

/**
 * True for a cookie `Path`: starts with `/`, printable ASCII without `;`.
 *
 * @example
 * isCookiePath('/videos') // true
 */
export function isCookiePath(path: string): boolean {
  return /^\/[\x21-\x3a\x3c-\x7e]*$/.test(path);
}
