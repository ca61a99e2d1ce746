/**
 * The one canonical spelling of a request path. A path is accepted only when every origin reads it
 * as the same path the gate checked: S3 percent-decodes once and keeps dots; nginx, Express and any
 * WHATWG URL parser resolve dot segments and may merge slashes; IIS strips trailing dots and spaces;
 * Tomcat honours `;` parameters; an NFKC-normalising app turns `．．／` into `../`. Everything else is
 * refused, not guessed. The gate, the sign API, `return_to` and the configuration's path patterns all
 * call this one function.
 *
 * Accepted: `/` then segments of `A-Z a-z 0-9 - . _ ~ ! $ & ' ( ) * + , = : @` and percent-escapes of
 * anything else (UTF-8 for non-ASCII); an empty last segment (a trailing `/`).
 *
 * The scanner also ships in the CloudFront Function, whose runtime is ES5.1 plus a few ES6 features and
 * has no Unicode normalisation: it is written without for-of, spreads, destructuring or default
 * parameters, and the check on escaped non-ASCII characters is passed in (`pathProblemWith`). The
 * NFKC check (compatibility-character.ts) is what `pathProblem` uses; the function refuses every
 * escaped non-ASCII character instead (`refuseNonAscii`), stricter and never looser.
 */
import { compatibilityProblem } from './compatibility-character';

/** Why a path is not canonical (logged by the gate, named in the sign API's 400). */
export type PathProblem =
  /** Does not start with `/`. */
  | 'not-absolute'
  /** `//`: slash-merging origins read another path. */
  | 'empty-segment'
  /** A `.` or `..` segment. */
  | 'dot-segment'
  /** A segment ending in `.` or an encoded space, which Windows origins strip. */
  | 'trailing-dot'
  /** A raw character outside the accepted set: controls, space, `\`, `;`, `"`, `<`, `>`, non-ASCII… */
  | 'forbidden-character'
  /** `%` not followed by two hex digits. */
  | 'bad-escape'
  /** `%41`, `%2E`, `%7E`…: a second spelling of a character that needs no escape. */
  | 'encoded-unreserved'
  /** `%2F` or `%5C`: a separator an origin may decode. */
  | 'encoded-separator'
  /** An encoded control character, `%` (double encoding), `;`, `?` or `#`. */
  | 'encoded-forbidden'
  /** Escaped bytes that are not strict UTF-8 (overlong `%C0%AE`, surrogates, truncated sequences). */
  | 'invalid-utf8'
  /** A decoded character that normalises into `/ \ . % ; ? #` or a space, or is invisible (format, line separators). */
  | 'compatibility-character';

/** Per ASCII code: 2 unreserved (`A-Z a-z 0-9 - . _ ~`), 1 other character a segment may hold raw, 0 refused. */
const RAW = /* @__PURE__ */ (() => {
  const table = new Uint8Array(128);
  // The 12 other characters first, then the unreserved ones.
  const chars = "!$&'()*+,=:@ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = i < 12 ? 1 : 2;
  return table;
})();

/**
 * Escapes refused besides controls: `%` (double encoding), `;` (path parameters), `?` and `#` (an
 * origin that decodes and then parses the path as a URL again would cut it there).
 */
const FORBIDDEN_ESCAPES = [0x25, 0x3b, 0x3f, 0x23];

/** Code points of the escaped non-ASCII characters of the path being checked (reused between calls). */
const wide: number[] = [];
/** The non-ASCII code points that came right after `/` or `.`. */
const afterStructure: number[] = [];

function hex(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 32;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/** The byte of `%XX` at `at`, or -1. */
function escapedByte(path: string, at: number): number {
  const high = hex(path.charCodeAt(at + 1));
  const low = hex(path.charCodeAt(at + 2));
  return high < 0 || low < 0 ? -1 : (high << 4) | low;
}

/**
 * Decodes one strict UTF-8 sequence of escapes starting at `at` (lead byte `lead`): no overlong form,
 * no surrogate, nothing above U+10FFFF. Returns the code point, or -1.
 */
function utf8At(path: string, at: number, lead: number): number {
  const extra = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc2 ? 1 : 0;
  if (extra === 0 || lead > 0xf4) return -1;
  let point = lead & (0x3f >> extra);
  for (let k = 1; k <= extra; k++) {
    const next = at + 3 * k;
    const byte = path.charCodeAt(next) === 37 ? escapedByte(path, next) : -1;
    if (byte < 0x80 || byte > 0xbf) return -1;
    point = (point << 6) | (byte & 0x3f);
  }
  const overlong = (extra === 2 && point < 0x800) || (extra === 3 && point < 0x10000);
  return overlong || point > 0x10ffff || (point >= 0xd800 && point <= 0xdfff) ? -1 : point;
}

/**
 * Judges the escaped non-ASCII characters of a path once the scan found nothing else: their code points
 * (strict UTF-8 by then), and those that came right after `/` or `.`. Returns why they are refused, or
 * `undefined`. Called only when the path has at least one.
 */
export type WideCheck<W extends string> = (
  points: readonly number[],
  afterStructure: readonly number[],
) => W | undefined;

/** Why the CloudFront Function refuses a path with an escaped non-ASCII character (it cannot normalise it). */
export type NonAsciiProblem = 'non-ascii-escape';

/**
 * The CloudFront Function's check on escaped non-ASCII characters: every one is refused. Its runtime has
 * no `String.prototype.normalize` and no Unicode property escapes, so it cannot tell `%EF%BC%8E` (`．`)
 * from `%C3%A9` (`é`); refusing both is stricter than `pathProblem`, never looser.
 */
export const refuseNonAscii: WideCheck<NonAsciiProblem> = () => 'non-ascii-escape';

/**
 * Returns why `path` is not canonical, or `undefined` when it is. Linear in the path's length: one
 * pass over a lookup table, then (only when escapes decode to non-ASCII) a few native passes over
 * those characters.
 *
 * @example
 * pathProblem('/videos/42/seg-1.ts')      // undefined
 * pathProblem('/videos/free/../paid.mp4') // 'dot-segment'
 * pathProblem('/%76ideos/paid.mp4')       // 'encoded-unreserved'
 */
export function pathProblem(path: string): PathProblem | undefined {
  return pathProblemWith(path, compatibilityProblem);
}

/**
 * `pathProblem` with the check on escaped non-ASCII characters passed in: `compatibilityProblem` (NFKC,
 * what `pathProblem` uses) or `refuseNonAscii` (the CloudFront Function).
 *
 * @example
 * pathProblemWith('/caf%C3%A9.mp4', refuseNonAscii) // 'non-ascii-escape'
 */
export function pathProblemWith<W extends string>(path: string, wideCheck: WideCheck<W>): PathProblem | W | undefined {
  if (path.charCodeAt(0) !== 47) return 'not-absolute';
  wide.length = 0;
  afterStructure.length = 0;
  /** Length of the current segment so far. */
  let length = 0;
  /** Dots seen while the segment is made of dots only; -1 once anything else appears. */
  let dots = 0;
  /** The segment's last character (decoded) is `.` or a space, or it is empty. */
  let strippable = false;
  /** The previous character was `/` or `.`. */
  let structural = true;
  const n = path.length;
  for (let i = 1; i < n; i++) {
    const code = path.charCodeAt(i);
    if (code === 47) {
      if (length === 0) return 'empty-segment';
      if (dots === 1 || dots === 2) return 'dot-segment';
      if (strippable) return 'trailing-dot';
      length = 0;
      dots = 0;
      structural = true;
      continue;
    }
    length++;
    if (code === 37) {
      const byte = escapedByte(path, i);
      if (byte < 0) return 'bad-escape';
      if (byte < 0x80) {
        if (RAW[byte] === 2) return 'encoded-unreserved';
        if (byte === 0x2f || byte === 0x5c) return 'encoded-separator';
        if (byte < 0x20 || byte === 0x7f || FORBIDDEN_ESCAPES.includes(byte)) return 'encoded-forbidden';
        strippable = byte === 0x20;
        i += 2;
      } else {
        const point = utf8At(path, i, byte);
        if (point < 0) return 'invalid-utf8';
        wide.push(point);
        if (structural) afterStructure.push(point);
        strippable = false;
        i += point < 0x80 ? 2 : point < 0x800 ? 5 : point < 0x10000 ? 8 : 11;
      }
      dots = -1;
      structural = false;
      continue;
    }
    if (code >= 128 || RAW[code] === 0) return 'forbidden-character';
    if (code === 46) {
      if (dots >= 0) dots++;
      strippable = true;
      structural = true;
    } else {
      dots = -1;
      strippable = false;
      structural = false;
    }
  }
  // The last segment: empty (a trailing `/`) is fine; otherwise the same rules.
  if (length > 0) {
    if (dots === 1 || dots === 2) return 'dot-segment';
    if (strippable) return 'trailing-dot';
  }
  return wide.length === 0 ? undefined : wideCheck(wide, afterStructure);
}

/** Each problem in words, for error messages (the sign API's 400, the CLI). */
export const PATH_PROBLEM_TEXT: Readonly<Record<PathProblem, string>> = {
  'not-absolute': 'must start with /',
  'empty-segment': 'must not contain // (empty segments)',
  'dot-segment': 'must not contain . or .. segments',
  'trailing-dot': 'must not end a segment with . or an encoded space',
  'forbidden-character': "may hold only A-Z a-z 0-9 - . _ ~ ! $ & ' ( ) * + , = : @ / and %XX escapes",
  'bad-escape': 'has a broken percent-escape',
  'encoded-unreserved': 'must not percent-encode letters, digits or - . _ ~',
  'encoded-separator': 'must not encode / or \\ (%2F, %5C)',
  'encoded-forbidden': 'must not encode control characters, %, ;, ? or #',
  'invalid-utf8': 'has escapes that are not UTF-8',
  'compatibility-character':
    'holds a character that normalises (NFKC, or Windows best-fit) into /, \\, ., %, ; or a space, or is invisible',
};
