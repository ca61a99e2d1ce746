/**
 * CloudFront custom-policy resource patterns: `*` matches any run of characters and `?` exactly one,
 * each inside one section of `scheme://host/path\?query`. A trailing `*` in the path also covers the
 * query; a trailing `*` in the host covers path and query; a pattern without a query section does not
 * match a URL that has one; `*` alone matches everything; `*example.com` means `*://*example.com/`.
 * An unescaped `?` in the path is a one-character wildcard (see `compileResource` for how it meets a query).
 */
import { compileGlob, type Glob, matchGlob } from './glob';

interface PatternSections {
  readonly scheme: string;
  readonly host: string;
  /** Absent when the pattern stops after the host. */
  readonly path?: string;
  /** Absent when the pattern has no `\?` query section. */
  readonly query?: string;
}

/** Splits a pattern into its sections, or `undefined` when it has no recognisable shape. */
export function splitResourcePattern(pattern: string): PatternSections | undefined {
  let rest: string;
  let scheme: string;
  const schemeEnd = pattern.indexOf('://');
  if (schemeEnd !== -1) {
    scheme = pattern.slice(0, schemeEnd);
    rest = pattern.slice(schemeEnd + 3);
  } else if (pattern.startsWith('*')) {
    scheme = '*';
    rest = pattern;
  } else {
    return undefined;
  }
  if (scheme.length === 0 || /[:/]/.test(scheme)) return undefined;
  const slash = rest.indexOf('/');
  if (slash === -1) return { scheme, host: rest };
  const host = rest.slice(0, slash);
  const afterHost = rest.slice(slash);
  const escapedQuery = afterHost.indexOf('\\?');
  if (escapedQuery === -1) return { scheme, host, path: afterHost };
  return {
    scheme,
    host,
    path: afterHost.slice(0, escapedQuery),
    query: afterHost.slice(escapedQuery + 2),
  };
}

/** A compiled resource pattern: call it with a URL. */
export type ResourceMatcher = (url: string) => boolean;

const NEVER: ResourceMatcher = () => false;
const ALWAYS: ResourceMatcher = () => true;

/** True when `text` holds no `*` and no `?`. */
function isLiteral(text: string): boolean {
  return !text.includes('*') && !text.includes('?');
}

/** End of the host in `url` (its first `/`, `?` or `#` from `from` on). */
function hostEnd(url: string, from: number): number {
  let i = from;
  for (; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c === 47 || c === 63 || c === 35) break;
  }
  return i;
}

/**
 * Compiles a CloudFront resource pattern once (what the verifier keeps beside a verified signature, so
 * a repeated cookie is never compiled again). A wildcard-free pattern is a string comparison, a
 * literal prefix ending in `*` a `startsWith`; anything else matches section by section with the
 * linear-time `matchGlob`, each section on its own text so a `*` can never leave it.
 *
 * Two readings are stricter than the loosest CloudFront could take, never looser: in a pattern with an
 * escaped `\\?` query section a path `?` matches one path character only; and in a pattern without one,
 * a `?` may stand for the query's own `?` only when the path has no `*` before its end (a literal URL
 * with a query, as signers write it: `https://h/a.mp4?x=1`). Write `\\?` to match queries with wildcards.
 *
 * @example
 * compileResource('https://cdn.example.com/videos/*')('https://cdn.example.com/videos/a.ts?x=1') // true
 */
export function compileResource(pattern: string): ResourceMatcher {
  if (pattern === '*') return ALWAYS;
  const sections = splitResourcePattern(pattern);
  if (sections === undefined || sections.host.length === 0) return NEVER;
  // Explicit reads, not destructuring: this file also ships in the CloudFront Function (ES5.1 + a few ES6 features).
  const path = sections.path;
  const query = sections.query;
  if (path !== undefined && query === undefined && !pattern.includes('\\')) {
    const body = pattern.slice(0, -1);
    if (isLiteral(pattern)) return (url) => url === pattern;
    if (pattern.endsWith('*') && isLiteral(body)) return (url) => url.startsWith(body);
  }
  const scheme = compileGlob(sections.scheme, true);
  const host = compileGlob(sections.host, true);
  const hostOpen = path === undefined && sections.host.endsWith('*');
  const pathGlob = path === undefined ? undefined : compileGlob(path, true);
  const queryGlob = query === undefined ? undefined : compileGlob(query, true);
  // Without a query section, a URL's query is covered only by a trailing path `*`, or spelled out by
  // `?` wildcards in a path without any other `*` (they then stand for the query's `?` and beyond).
  const pathOpen = path?.endsWith('*') === true;
  const pathStars = path === undefined ? 0 : (pathGlob as Glob).chunks.length - 1;
  const pathWild = pathGlob?.wild.some(Boolean) === true;
  const queryByWildcards = pathWild && pathStars <= (pathOpen ? 1 : 0);

  return (url) => {
    const colon = url.indexOf(':');
    if (colon <= 0 || !url.startsWith('://', colon) || hostEnd(url, 0) < colon) return false;
    if (!matchGlob(scheme, url, 0, colon)) return false;
    const hostStart = colon + 3;
    const pathStart = hostEnd(url, hostStart);
    if (!matchGlob(host, url, hostStart, pathStart)) return false;
    if (pathGlob === undefined) return hostOpen || (url.length === pathStart + 1 && url.charCodeAt(pathStart) === 47);
    const q = url.indexOf('?', pathStart);
    if (queryGlob !== undefined) {
      return q !== -1 && matchGlob(pathGlob, url, pathStart, q) && matchGlob(queryGlob, url, q + 1);
    }
    if (q === -1) return matchGlob(pathGlob, url, pathStart);
    if (queryByWildcards) return matchGlob(pathGlob, url, pathStart);
    return pathOpen && !pathWild && matchGlob(pathGlob, url, pathStart, q);
  };
}

/**
 * True when `url` is covered by the resource `pattern` (compiles it each call; the verifier keeps
 * compiled patterns beside verified signatures instead).
 *
 * @example
 * matchResource('https://cdn.example.com/videos/*', 'https://cdn.example.com/videos/a/b.ts?x=1') // true
 * matchResource('https://cdn.example.com/videos/*.mp4', 'https://cdn.example.com/videos/a.mp4?x=1') // false
 */
export function matchResource(pattern: string, url: string): boolean {
  return compileResource(pattern)(url);
}

/** True when the pattern has a shape CloudFront can match at all. */
export function isValidResourcePattern(pattern: string): boolean {
  return pattern === '*' || (splitResourcePattern(pattern)?.host.length ?? 0) > 0;
}

/**
 * True when a pattern would grant every host (`*`, or a host section made only of wildcards): with a shared key
 * group that means every distribution that trusts the key. Signers refuse it unless forced.
 */
export function grantsAnyHost(pattern: string): boolean {
  if (pattern === '*') return true;
  const sections = splitResourcePattern(pattern);
  return sections !== undefined && /^[*?.]*$/.test(sections.host);
}
