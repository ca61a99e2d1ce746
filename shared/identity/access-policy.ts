import { EdgepassError } from '../cloudfront/errors';
import { MAX_MIDDLE_CHUNK } from '../cloudfront/glob';
import { matchResource } from '../cloudfront/resource-pattern';
import type { AccessRuleConfig, ClaimCondition } from '../config/schema';
import { pathProblem } from '../edge/canonical-path';

/** Content one verified identity may fetch, from the access rule that matched it. */
export interface Grant {
  /** Name of the access rule the grant comes from (for logs and metrics). */
  readonly rule: string;
  /** Path pattern with templates filled in and percent-encoded, e.g. `/users/abc%40x.com/*`. */
  readonly path: string;
  /** Longest lifetime of cookies or URLs issued for this grant. */
  readonly maxTtlSeconds: number;
}

const TEMPLATE = /\{([A-Za-z0-9_:.-]+)\}/g;

/**
 * Longest claim value a `{claim}` template takes, in UTF-8 bytes. Percent-encoded, a byte is at most
 * three characters: login-cookies.ts sizes the worst-case cookie from this number, so a value
 * measured in characters (up to nine encoded characters each) could pass the browser's 4 KB limit.
 */
export const MAX_CLAIM_BYTES = 256;
const UTF8 = new TextEncoder();

/**
 * What a claim must never hold to fill a template, because some origin reads it as path structure
 * once the grant is decoded: separators and escapes (`/`, `\`, `%`; S3 decodes `%2F`), wildcards and
 * query or fragment marks (`*`, `?`, `#`), path parameters (`;`), C0/C1 controls, `..`, what a
 * Windows origin strips (a leading or trailing space, a trailing dot), NTFS stream names (`:`, as in
 * `alice::$INDEX_ALLOCATION`) and 8.3 short names (`~1`). Lone surrogates too: they
 * would be encoded as U+FFFD, so two values would share one path.
 */
const UNSAFE_IN_CLAIM = /[/\\%*?#;:\x00-\x1f\x7f-\x9f]|\.\.|^ | $|\.$|~\d|\p{Cs}/u;

/**
 * True when a character's case mapping leaves ASCII or changes length (`ı` → `I`, `ſ` → `S`, `ß` →
 * `SS`): an origin that compares names case-insensitively would read `alıce` as `alice`.
 */
function foldsIntoAnother(text: string): boolean {
  for (const char of text) {
    if (char.charCodeAt(0) < 0x80) continue;
    for (const mapped of [char.toUpperCase(), char.toLowerCase()]) {
      if (mapped.length !== char.length || /[\x00-\x7f]/.test(mapped)) return true;
    }
  }
  return false;
}

/**
 * The grants of the first access rule whose conditions all hold for these verified claims (a rule
 * without conditions matches any verified identity). `{claim}` templates in grant paths are filled
 * with the claim's value, percent-encoded (`@`, inner spaces, non-ASCII letters…).
 *
 * Throws `FORBIDDEN_RESOURCE` when no rule matches, and `CLAIM_UNUSABLE` (naming the claim, never
 * its value) when the matching rule needs a claim that cannot be used in a path: missing, not a
 * string or number, empty, longer than 256 bytes in UTF-8, holding `/ \ % * ? # ;`, a control
 * character, `..`, a leading or trailing space, a trailing dot or a lone surrogate, or changed by
 * NFKC normalisation (fullwidth `／`, `．`, ligatures…). Such a value is refused, never encoded: an
 * origin that decodes or normalises it would read another folder. The first matching rule decides:
 * a later rule is never tried instead.
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
 * A path that is not canonical (`pathProblem`: dot segments in any spelling, encoded separators,
 * backslashes, `?`, `#`, controls, broken escapes…) is never covered.
 *
 * @example
 * grantFor(grants, '/videos/a.mp4')?.maxTtlSeconds // 3600
 * grantFor(grants, '/videos/../admin/keys')        // undefined
 */
export function grantFor(grants: readonly Grant[], path: string): Grant | undefined {
  if (pathProblem(path) !== undefined) return undefined;
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
  // The configuration's own grant text is canonical (checked at build time); the filled-in grant must
  // pass the gate's rule too, or the gate would refuse every path it covers (an invisible U+200B, say).
  const problem = pathProblem(path);
  if (problem !== undefined) {
    throw new EdgepassError('CLAIM_UNUSABLE', `claims make grant ${pattern} a non-canonical path (${problem})`);
  }
  // …and stay a pattern the gate matches: a long claim between two stars would make one it never does.
  if (
    path
      .split('*')
      .slice(1, -1)
      .some((chunk) => chunk.length > MAX_MIDDLE_CHUNK)
  ) {
    throw new EdgepassError(
      'CLAIM_UNUSABLE',
      `claims make grant ${pattern} hold more than ${MAX_MIDDLE_CHUNK} characters between two *`,
    );
  }
  return path;
}

function unusableClaim(name: string, why: string): EdgepassError {
  // Never the value: it may be personal data, and it is what an attacker chose.
  return new EdgepassError('CLAIM_UNUSABLE', `claim ${name} cannot be used in a path: ${why}`);
}

/**
 * The claim as it goes into a grant path: refused (`CLAIM_UNUSABLE`) when an origin could read it as
 * something else (see `UNSAFE_IN_CLAIM` and NFKC), else every byte outside `A-Z a-z 0-9 _ . ~ -`
 * percent-encoded as UTF-8.
 */
function escapeClaim(name: string, value: unknown): string {
  const text =
    typeof value === 'string' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
  if (text === undefined || text.length === 0) throw unusableClaim(name, 'missing, empty, or not a string or number');
  // UTF-16 units never outnumber UTF-8 bytes: the first test spares encoding a huge value.
  if (text.length > MAX_CLAIM_BYTES || UTF8.encode(text).length > MAX_CLAIM_BYTES) {
    throw unusableClaim(name, `longer than ${MAX_CLAIM_BYTES} bytes in UTF-8`);
  }
  if (UNSAFE_IN_CLAIM.test(text)) throw unusableClaim(name, 'it holds a character an origin could read as path syntax');
  // Fullwidth `／` or `．`, ligatures, compatibility forms: an origin (or a file system) that
  // normalises would see a separator or a dot segment the grant never had.
  if (text.normalize('NFKC') !== text) throw unusableClaim(name, 'it is not in Unicode NFKC form');
  if (foldsIntoAnother(text)) throw unusableClaim(name, 'a case-insensitive origin would read it as another name');
  return encodeURIComponent(text).replace(/[!'()]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}
