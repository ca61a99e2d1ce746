import { EdgepassError } from '../cloudfront/errors';
import { matchResource } from '../cloudfront/resource-pattern';
import type { AccessRuleConfig, ClaimCondition } from '../config/schema';

/** Content one verified identity may fetch, from the access rule that matched it. */
export interface Grant {
  /** Name of the access rule the grant comes from (for logs and metrics). */
  readonly rule: string;
  /** Path pattern with templates filled in and escaped, e.g. `/users/abc%40x.com/*`. */
  readonly path: string;
  /** Longest lifetime of cookies or URLs issued for this grant. */
  readonly maxTtlSeconds: number;
}

const TEMPLATE = /\{([A-Za-z0-9_:.-]+)\}/g;
const MAX_TEMPLATE_VALUE = 256;

/**
 * The grants of the first access rule whose conditions all hold for these verified claims (a rule
 * without conditions matches any verified identity). `{claim}` templates in grant paths are filled
 * with the claim's value, percent-encoded so that it stays inside its path segment.
 *
 * Throws `FORBIDDEN_RESOURCE` when no rule matches, or when the matching rule needs a claim that
 * cannot be used in a path (missing, not a string or number, empty, longer than 256 characters, or
 * a dot segment such as `..`). The first matching rule decides: a later rule is never tried instead.
 *
 * @example
 * grantsFor(
 *   [{ name: 'own-files', when: [{ claim: 'email_verified', equals: true }], grants: [{ path: '/users/{email}/*', maxTtlSeconds: 3600 }] }],
 *   { email: 'abc@x.com', email_verified: true },
 * ) // [{ rule: 'own-files', path: '/users/abc%40x.com/*', maxTtlSeconds: 3600 }]
 */
export function grantsFor(rules: readonly AccessRuleConfig[], claims: Readonly<Record<string, unknown>>): Grant[] {
  const rule = rules.find((candidate) => candidate.when.every((condition) => holds(condition, claims)));
  if (rule === undefined) throw new EdgepassError('FORBIDDEN_RESOURCE', 'no access rule matches this identity');
  return rule.grants.map((grant) => {
    const path = expandPath(grant.path, claims);
    return Object.freeze({ rule: rule.name, path, maxTtlSeconds: grant.maxTtlSeconds });
  });
}

/**
 * The CloudFront resource pattern of a grant: `origin` (scheme and host, no trailing slash) followed
 * by the grant's path.
 *
 * @example
 * resourceFor(grant, 'https://cdn.example.com') // 'https://cdn.example.com/videos/*'
 */
export function resourceFor(grant: Grant, origin: string): string {
  // A trailing slash would make `https://host//videos/*`, a policy that matches nothing.
  return `${origin.replace(/\/+$/, '')}${grant.path}`;
}

/**
 * The first grant that covers a requested path (`/videos/a.mp4`, without query), or `undefined`.
 * Paths that an origin or CloudFront could resolve elsewhere are never covered: dot segments (also
 * percent-encoded, also split by an encoded `\`), raw backslashes, `?`, `#`, control characters or
 * broken percent-encoding.
 *
 * @example
 * grantFor(grants, '/videos/a.mp4')?.maxTtlSeconds // 3600
 * grantFor(grants, '/videos/../admin/keys')        // undefined
 */
export function grantFor(grants: readonly Grant[], path: string): Grant | undefined {
  if (!isPlainRequestPath(path)) return undefined;
  // Matched host-less: the host is fixed by the caller, only the path decides.
  return grants.find((grant) => matchResource(`https://x${grant.path}`, `https://x${path}`));
}

function claimValue(claims: Readonly<Record<string, unknown>>, name: string): unknown {
  // Own properties only: a claim named `constructor` or `__proto__` must not reach Object.prototype.
  return Object.hasOwn(claims, name) ? claims[name] : undefined;
}

function holds(condition: ClaimCondition, claims: Readonly<Record<string, unknown>>): boolean {
  const value = claimValue(claims, condition.claim);
  if ('equals' in condition) return value === condition.equals;
  if ('includes' in condition) {
    if (Array.isArray(value)) return value.includes(condition.includes);
    // OAuth `scope`: space-separated words.
    return typeof value === 'string' && value.split(' ').includes(condition.includes);
  }
  return value !== undefined && value !== null;
}

function expandPath(pattern: string, claims: Readonly<Record<string, unknown>>): string {
  const path = pattern.replace(TEMPLATE, (_, name: string) => escapeClaim(name, claimValue(claims, name)));
  // Two templates side by side (`/{a}{b}/`) could still spell a dot segment out of two dots.
  if (hasDotSegment(path)) throw new EdgepassError('FORBIDDEN_RESOURCE', `claims make a dot segment in ${pattern}`);
  return path;
}

function unusableClaim(name: string): EdgepassError {
  return new EdgepassError('FORBIDDEN_RESOURCE', `claim ${name} cannot be used in a path`);
}

/**
 * Percent-encodes every byte outside `A-Z a-z 0-9 _ . ~ -`, so a value can never add wildcards
 * (`*`), a query (`?`), a path segment (`/`, `\`) or an escape (`%`) to a grant.
 */
function escapeClaim(name: string, value: unknown): string {
  const text =
    typeof value === 'string' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
  if (
    text === undefined ||
    text.length === 0 ||
    text.length > MAX_TEMPLATE_VALUE ||
    // Lone surrogates would be encoded as U+FFFD, so two different values would share one path.
    /\p{Cs}/u.test(text) ||
    // `..` or `a/../b`: an origin that decodes %2F before resolving dot segments would leave the grant.
    text.split(/[/\\]/).some(isDotSegment)
  ) {
    throw unusableClaim(name);
  }
  return encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

function isDotSegment(segment: string): boolean {
  return segment === '.' || segment === '..';
}

/** True when the path, raw or percent-decoded, has a `.` or `..` segment (between `/` or `\`). */
function hasDotSegment(path: string): boolean {
  if (path.split(/[/\\]/).some(isDotSegment)) return true;
  try {
    return decodeURIComponent(path).split(/[/\\]/).some(isDotSegment);
  } catch {
    return false;
  }
}

function isPlainRequestPath(path: string): boolean {
  if (!path.startsWith('/') || /[\\?#\x00-\x1f\x7f]/.test(path)) return false;
  try {
    decodeURIComponent(path);
  } catch {
    return false;
  }
  return !hasDotSegment(path);
}
