/** Attributes every CloudFront cookie of one response shares. */
export interface CookieAttributes {
  /** `Domain`; omitted means the host that sets the cookie. */
  readonly domain?: string | undefined;
  readonly path: string;
  /** Epoch seconds; the browser drops the cookie when the policy stops working. */
  readonly expires: number;
}

/**
 * One `Set-Cookie` header value for a CloudFront cookie: `Secure; HttpOnly; SameSite=Lax` always
 * (Strict would drop the cookie on the return from an identity provider and loop the login).
 *
 * @example
 * setCookieValue('CloudFront-Key-Pair-Id', 'K2JCJMDEHXQW5F', { path: '/', expires: 1795870800 })
 * // 'CloudFront-Key-Pair-Id=K2JCJMDEHXQW5F; Path=/; Expires=Sat, 28 Nov 2026 13:00:00 GMT; Secure; HttpOnly; SameSite=Lax'
 */
export function setCookieValue(name: string, value: string, attributes: CookieAttributes): string {
  const domain = attributes.domain === undefined ? '' : `; Domain=${attributes.domain}`;
  const expires = new Date(attributes.expires * 1000).toUTCString();
  return `${name}=${value}${domain}; Path=${attributes.path}; Expires=${expires}; Secure; HttpOnly; SameSite=Lax`;
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
