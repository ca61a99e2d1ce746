/**
 * Where the login page may send the browser once logged in: `return_to` itself when it is a path
 * on this site, else `/`. The gate and the login API judge `return_to` with the one shared rule
 * (shared/edge/return-to.ts); this is only the page's guard for the one navigation it makes, and
 * test/unit/dev-site pins it to that rule: it keeps every target the rule keeps, and never leaves
 * this origin.
 */

const MAX_LENGTH = 2048;

// The gate percent-encodes what it puts in return_to, so raw spaces, controls and backslashes mean
// a hand-made link. Browsers drop tab and newline: `/\t/evil.com` would become `//evil.com`.
const UNSAFE = /[\x00-\x20\x7f\\]/;

/**
 * @example
 * sameSitePath('/videos/?t=10', 'http://localhost:3000') // '/videos/?t=10'
 * sameSitePath('//evil.com', 'http://localhost:3000')    // '/'
 */
export function sameSitePath(value, origin) {
  if (typeof value !== 'string' || value.length > MAX_LENGTH || UNSAFE.test(value)) return '/';
  // Exactly one leading slash: `//host/x` is a reference to another host.
  if (!value.startsWith('/') || value.startsWith('//')) return '/';
  // The browser's own reading of the target has to agree that it stays here.
  let url;
  try {
    url = new URL(value, origin);
  } catch {
    return '/';
  }
  return url.origin === origin ? value : '/';
}
