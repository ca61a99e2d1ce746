import { COOKIE_FOR_PARAM, SIGNING_PARAMS, type SigningCookie, type SigningParam } from './signing-params';

/** Cookie name → the signing param it carries, for the per-request lookups of the cookie reader. */
const PARAM_FOR_COOKIE: ReadonlyMap<string, SigningParam> = new Map(
  SIGNING_PARAMS.map((param) => [`CloudFront-${param}`, param]),
);

/** The CloudFront-* cookies of a request; other cookies are not looked at. */
export type SigningCookies = Partial<Record<SigningCookie, string>>;

/** Longest Cookie header read; browsers cap a cookie at ~4 KB and CloudFront a request at 20 KB. */
export const MAX_COOKIE_HEADER = 20480;
/**
 * `CloudFront-` names looked at per request: five signing cookies on each of a dozen cookie Paths.
 * Later ones are not read (the first occurrence wins anyway), so a request can only lose credentials.
 */
export const MAX_SIGNING_COOKIE_NAMES = 64;
/**
 * Spaces and tabs looked through around a `CloudFront-` name (after the `;` before it, and between it
 * and its `=`). More and the name is not read, nor stripped by the gate: what is not a credential
 * here is not one anywhere, and no scan runs over 20 KB of blanks.
 */
export const MAX_COOKIE_NAME_SPACE = 64;

/**
 * Reads the CloudFront-* cookies from one or more Cookie headers, keyed by the signing param each
 * carries (`CloudFront-Policy` → `Policy`), as the verifier wants them. The first occurrence of a
 * name wins (browsers send the cookie with the most specific Path first); only the first
 * `MAX_SIGNING_COOKIE_NAMES` `CloudFront-` names are looked at. Never throws.
 *
 * @example
 * signingCookieValues('a=1; CloudFront-Key-Pair-Id=K2JCJMDEHXQW5F') // { 'Key-Pair-Id': 'K2JCJMDEHXQW5F' }
 */
export function signingCookieValues(
  header: string | readonly string[] | undefined,
): Partial<Record<SigningParam, string>> {
  const found: Partial<Record<SigningParam, string>> = {};
  if (header === undefined) return found;
  const text = typeof header === 'string' ? header : header.join('; ');
  if (text.length > MAX_COOKIE_HEADER) return found;
  // Jump between `CloudFront-` names instead of splitting and trimming every cookie, and look at no
  // more of them than a browser could hold for one request (1,700 names in 20 KB cost 30× a decision).
  let seen = 0;
  for (
    let at = text.indexOf('CloudFront-');
    at !== -1 && seen++ < MAX_SIGNING_COOKIE_NAMES;
    at = text.indexOf('CloudFront-', at + 11)
  ) {
    let before = at - 1;
    while (before >= 0 && (text.charCodeAt(before) === 32 || text.charCodeAt(before) === 9)) before--;
    if ((before >= 0 && text.charCodeAt(before) !== 59) || at - before > MAX_COOKIE_NAME_SPACE + 1) continue;
    const semi = text.indexOf(';', at);
    const end = semi === -1 ? text.length : semi;
    const eq = text.indexOf('=', at);
    if (eq === -1 || eq > end || eq - at > 25 + MAX_COOKIE_NAME_SPACE) continue;
    const name = text.slice(at, eq).trim();
    const param = PARAM_FOR_COOKIE.get(name);
    // The gate's stripping bound, exactly: no more blanks between the name and its `=`, so a cookie is
    // read as a credential only if the gate also strips it before the origin.
    if (param === undefined || found[param] !== undefined || eq - at - name.length > MAX_COOKIE_NAME_SPACE) continue;
    let value = text.slice(eq + 1, end).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    found[param] = value;
  }
  return found;
}

/**
 * The CloudFront-* cookies of one or more Cookie headers, by cookie name (same rules as
 * `signingCookieValues`).
 *
 * @example
 * signingCookies('a=1; CloudFront-Key-Pair-Id=K2JCJMDEHXQW5F') // { 'CloudFront-Key-Pair-Id': 'K2JCJMDEHXQW5F' }
 */
export function signingCookies(header: string | readonly string[] | undefined): SigningCookies {
  const found: SigningCookies = {};
  for (const [param, value] of Object.entries(signingCookieValues(header)) as [SigningParam, string][]) {
    found[COOKIE_FOR_PARAM[param]] = value;
  }
  return found;
}
