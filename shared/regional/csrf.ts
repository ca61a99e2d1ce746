import { EdgepassError } from '../cloudfront/errors';
import type { EdgepassConfig } from '../config/schema';
import { type HttpRequest, mediaType } from './http-api';

/**
 * Cross-site request forgery on /auth/*: a page on any site can make a browser POST a form (or a
 * `text/plain` or untyped body) without a CORS preflight, and so log the browser in with the
 * attacker's token, or out. Such a request must show that it comes from a configured site.
 */

const SAME_SITE: ReadonlySet<string> = new Set(['same-origin', 'same-site']);

/**
 * The origins a browser may post a form from: `scheme://domain` for every content domain (as a
 * browser serialises it, so a default port disappears) and every configured CORS origin.
 *
 * @example
 * formOrigins({ scheme: 'https', domains: ['media.example.com'], cors: { origins: ['https://app.example.com'], maxAgeSeconds: 600 } })
 * // ['https://media.example.com', 'https://app.example.com']
 */
export function formOrigins(config: Pick<EdgepassConfig, 'scheme' | 'domains' | 'cors'>): string[] {
  const domains = config.domains.map((domain) => new URL(`${config.scheme}://${domain}`).origin);
  return [...new Set([...domains, ...config.cors.origins])];
}

/**
 * Refuses with `ORIGIN_NOT_ALLOWED` (403) a request that a browser could send cross-site without a
 * preflight — no `Authorization` header and a media type other than `application/json` (a form,
 * `multipart/form-data`, `text/plain`, or none) — unless its `Origin` is one of `sites`, or, without
 * an `Origin`, its `Sec-Fetch-Site` is `same-origin` or `same-site`. `Origin: null` never passes.
 * JSON and Bearer requests are left to CORS: a browser preflights them cross-site.
 *
 * @example
 * checkFormOrigin(request, formOrigins(config)) // throws for a form posted from https://evil.com
 */
export function checkFormOrigin(request: HttpRequest, sites: readonly string[]): void {
  const { headers } = request;
  if (headers.authorization !== undefined || mediaType(request) === 'application/json') return;
  const origin = headers.origin;
  // A present Origin decides, even beside a Sec-Fetch-Site; `null` (sandboxed frames, cross-site
  // redirects, file: pages) says nothing about the site, so it never passes.
  if (origin !== undefined) {
    if (origin !== 'null' && sites.includes(origin)) return;
  } else if (SAME_SITE.has(headers['sec-fetch-site'] ?? '')) {
    return;
  }
  throw new EdgepassError(
    'ORIGIN_NOT_ALLOWED',
    'a form post must come from a configured site (Origin); send JSON or an Authorization header otherwise',
  );
}
