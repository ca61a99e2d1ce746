/**
 * Validation of post-login redirect targets (`return_to`), shared by the edge gate and the login
 * Lambda so there is one rule. A target is either a same-site path (`/videos/42?t=1`) or an absolute
 * URL on an allowed host. Everything a browser could read as another site is refused: `//evil.com`,
 * `/\evil.com`, `https:evil.com`, userinfo tricks, control characters (browsers strip tab/newline, so
 * `/\t/evil.com` becomes `//evil.com`), and the same after percent-decoding. The path part must also be
 * canonical (`pathProblem`), so dot segments that a browser would resolve (`/..//evil.com`,
 * `/%2e%2e//evil.com`) never reach the `Location` header.
 */
import { pathProblem } from './canonical-path';
import { MAX_RETURN_TO_LENGTH } from './return-to-length';

export { MAX_RETURN_TO_LENGTH };

/**
 * Raw targets must be properly encoded, query and fragment included: printable ASCII only, and none of
 * the characters a browser escapes before sending them or that end an HTML attribute or open a
 * template: space, `\`, `"`, `<`, `>`, `` ` ``, `{`, `}`. A raw non-ASCII character could reach a
 * `Location` header, where a stack writing Latin-1 keeps only its low byte (U+010A becomes a line feed);
 * the others would reach a login page that prints the target, and the browser would request another text.
 */
const UNSAFE_RAW = /[^\x21-\x7e]|["<>\\`{}]/;
/**
 * Decoded forms may hold spaces, but never a control (C0, DEL, C1: header and log injection, stripped by
 * browsers), a format character (bidi overrides, zero-width) or a line or paragraph separator (a line
 * break to JavaScript and to many log readers): the rule the path already gets from `pathProblem`.
 */
const CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/**
 * The raw form (`forms[0]`) holds no unsafe character (`UNSAFE_RAW`), and no decoded form a control (`CONTROL`). Network-path
 * references (`//x`, `/\x`, and `/%2F…`, `/%5C…`, `/%252F…` that decode to them) are the canonical-path
 * rule's to refuse (`canonicalPathPart`, every caller): one rule, not a second copy here.
 */
function safePath(forms: readonly string[]): boolean {
  return !UNSAFE_RAW.test(forms[0] as string) && forms.every((form) => !CONTROL.test(form));
}

/** The path part of a target: up to its query or fragment. */
function canonicalPathPart(target: string): boolean {
  const end = target.search(/[?#]/);
  return pathProblem(end === -1 ? target : target.slice(0, end)) === undefined;
}

/**
 * The raw target and up to three decoded forms; `undefined` when a form does not decode, or when a
 * `%` is left after three rounds (no browser decodes that deep, but an origin decoding four times
 * would read what none of the checks saw).
 */
function decodeRepeatedly(value: string): string[] | undefined {
  const forms = [value];
  let current = value;
  for (let i = 0; current.includes('%'); i++) {
    if (i === 3) return undefined;
    try {
      current = decodeURIComponent(current);
    } catch {
      return undefined;
    }
    forms.push(current);
  }
  return forms;
}

/**
 * Returns `value` unchanged when it is a safe same-site path (`/videos/42?t=10`), otherwise
 * `undefined`. `safeReturnTo` adds absolute URLs on allowed hosts. The gates do not call it: they write
 * the canonical path and its printable query, and login checks whatever `return_to` it is given.
 */
export function safeReturnPath(value: unknown): string | undefined {
  if (
    typeof value !== 'string' ||
    value.length > MAX_RETURN_TO_LENGTH ||
    !value.startsWith('/') ||
    !canonicalPathPart(value)
  )
    return undefined;
  const forms = decodeRepeatedly(value);
  return forms !== undefined && safePath(forms) ? value : undefined;
}

/**
 * Returns `value` unchanged when it is a safe redirect target, otherwise `undefined`.
 *
 * @example
 * safeReturnTo('/videos/42?t=10', { allowedHosts: [] }) // '/videos/42?t=10'
 * safeReturnTo('//evil.com', { allowedHosts: [] })       // undefined
 * safeReturnTo('https://app.example.com/x', { allowedHosts: ['app.example.com'] }) // 'https://app.example.com/x'
 */
export function safeReturnTo(
  value: unknown,
  options: { readonly allowedHosts: readonly string[]; readonly allowHttp?: boolean },
): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_RETURN_TO_LENGTH) return undefined;
  if (value.startsWith('/')) return safeReturnPath(value);
  const forms = decodeRepeatedly(value);
  if (forms === undefined || !safePath(forms)) return undefined;
  const match = /^(https?):\/\/([^/?#@]+)(\/[^#]*)?$/.exec(value);
  if (match === null) return undefined;
  // Explicit reads, not destructuring: this file also ships in the CloudFront Function (ES5.1 + a few ES6 features).
  const scheme = match[1];
  const host = match[2] as string;
  const path = match[3] ?? '/';
  if (scheme === 'http' && options.allowHttp !== true) return undefined;
  if (!options.allowedHosts.includes(host.toLowerCase())) return undefined;
  if (!forms.every((form) => !/^https?:\/\/[^/?#]*@/.test(form))) return undefined;
  // The path needs no decoding of its own: it starts at a raw `/`, so each decoded form of it is a suffix
  // of the whole target's, which `safePath` has checked.
  return canonicalPathPart(path) ? value : undefined;
}
