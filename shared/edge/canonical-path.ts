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
 */

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
  /** An encoded control character, `%` (double encoding) or `;`. */
  | 'encoded-forbidden'
  /** Escaped bytes that are not strict UTF-8 (overlong `%C0%AE`, surrogates, truncated sequences). */
  | 'invalid-utf8'
  /** A decoded character that normalises into `/ \ . % ; ? #` or a space, or is invisible (format, line separators). */
  | 'compatibility-character';

/** Per ASCII code: 2 unreserved (`A-Z a-z 0-9 - . _ ~`), 1 other character a segment may hold raw, 0 refused. */
const RAW = /* @__PURE__ */ (() => {
  const table = new Uint8Array(128);
  for (const char of "!$&'()*+,=:@") table[char.charCodeAt(0)] = 1;
  for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~') {
    table[char.charCodeAt(0)] = 2;
  }
  return table;
})();

/** Invisible characters (controls, format characters such as U+200B or U+202E, line separators). */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
/** A combining mark right after `/` or `.`: an origin that strips marks would see a bare dot or segment. */
const MARK_AFTER_STRUCTURE = /(?:^|[/.])\p{M}/u;
/** Everything but the characters that give a path its structure. */
const NOT_STRUCTURE = /[^/\\.%;?#\s]/g;

/** True when NFKC (which some applications apply) would add or move structure: `．．／` → `../`. */
function normalisesIntoStructure(decoded: string): boolean {
  return decoded.replace(NOT_STRUCTURE, '') !== decoded.normalize('NFKC').replace(NOT_STRUCTURE, '');
}

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
 * Checks one strict UTF-8 sequence of escapes starting at `at` (lead byte `lead`): no overlong form,
 * no surrogate, nothing above U+10FFFF. Returns how many characters of `path` it spans, or 0.
 */
function utf8Length(path: string, at: number, lead: number): number {
  const extra = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc2 ? 1 : 0;
  if (extra === 0 || lead > 0xf4) return 0;
  let point = lead & (0x3f >> extra);
  for (let k = 1; k <= extra; k++) {
    const next = at + 3 * k;
    const byte = path.charCodeAt(next) === 37 ? escapedByte(path, next) : -1;
    if (byte < 0x80 || byte > 0xbf) return 0;
    point = (point << 6) | (byte & 0x3f);
  }
  const overlong = (extra === 2 && point < 0x800) || (extra === 3 && point < 0x10000);
  if (overlong || point > 0x10ffff || (point >= 0xd800 && point <= 0xdfff)) return 0;
  return 3 * (extra + 1);
}

/**
 * Returns why `path` is not canonical, or `undefined` when it is. Linear in the path's length; a
 * plain ASCII path is one pass over a lookup table.
 *
 * @example
 * pathProblem('/videos/42/seg-1.ts')      // undefined
 * pathProblem('/videos/free/../paid.mp4') // 'dot-segment'
 * pathProblem('/%76ideos/paid.mp4')       // 'encoded-unreserved'
 */
export function pathProblem(path: string): PathProblem | undefined {
  if (path.charCodeAt(0) !== 47) return 'not-absolute';
  let segmentStart = 1;
  /** Dots seen while the segment is made of dots only; -1 once anything else appears. */
  let dots = 0;
  /** The segment's last character (decoded) was `.` or a space. */
  let strippable = false;
  /** Some escape decoded to a non-ASCII character: checked on the whole decoded path at the end. */
  let wide = false;
  const n = path.length;
  for (let i = 1; i <= n; i++) {
    const code = i === n ? 47 : path.charCodeAt(i);
    if (code === 47) {
      if (i === segmentStart) {
        if (i < n) return 'empty-segment';
      } else {
        if (dots === 1 || dots === 2) return 'dot-segment';
        if (strippable) return 'trailing-dot';
      }
      segmentStart = i + 1;
      dots = 0;
      strippable = false;
      continue;
    }
    if (code === 37) {
      const byte = escapedByte(path, i);
      if (byte < 0) return 'bad-escape';
      if (byte < 0x80) {
        if (RAW[byte] === 2) return 'encoded-unreserved';
        if (byte === 0x2f || byte === 0x5c) return 'encoded-separator';
        if (byte < 0x20 || byte === 0x7f || byte === 0x25 || byte === 0x3b) return 'encoded-forbidden';
        strippable = byte === 0x20;
        i += 2;
      } else {
        const used = utf8Length(path, i, byte);
        if (used === 0) return 'invalid-utf8';
        wide = true;
        strippable = false;
        i += used - 1;
      }
      dots = -1;
      continue;
    }
    if (code >= 128 || RAW[code] === 0) return 'forbidden-character';
    if (code === 46) {
      if (dots >= 0) dots++;
      strippable = true;
    } else {
      dots = -1;
      strippable = false;
    }
  }
  if (wide) {
    // Every escape is valid UTF-8 by now, so this cannot throw. One pass over the whole path keeps an
    // 8 KB path of escaped non-ASCII about as cheap as a plain one.
    const decoded = decodeURIComponent(path);
    if (INVISIBLE.test(decoded) || MARK_AFTER_STRUCTURE.test(decoded) || normalisesIntoStructure(decoded)) {
      return 'compatibility-character';
    }
  }
  return undefined;
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
  'encoded-forbidden': 'must not encode control characters, % or ;',
  'invalid-utf8': 'has escapes that are not UTF-8',
  'compatibility-character': 'holds a character that normalises into /, \\, ., %, ; or a space, or is invisible',
};
