/**
 * The check on escaped non-ASCII characters that `pathProblem` applies (Lambda@Edge, the sign API,
 * `return_to`, the configuration): nothing invisible, no combining mark right after `/` or `.`, nothing
 * NFKC turns into structure (`．．／` → `../`, `℀` → `a/c`) and no Windows best-fit separator (`¥` → `\`
 * on a Japanese system). It needs `String.prototype.normalize`
 * and Unicode property escapes, which the CloudFront Functions runtime lacks; the function refuses every
 * escaped non-ASCII character instead (`refuseNonAscii` in canonical-path.ts).
 */

/** Invisible or blank characters: controls, format characters (U+200B, U+202E…), every Unicode space. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Z}]/u;
/** Combining marks: one right after `/` or `.` would leave a bare dot or segment to an origin that strips marks. */
const MARK = /\p{M}/u;
/** What NFKC must never produce from a non-ASCII character. */
const STRUCTURE = /[/\\.%;?#\s]/;
/**
 * Characters NFKC leaves alone but Windows' "best-fit" mapping turns into a separator or a dot for
 * an origin that uses ANSI file APIs: ¥ and ₩ become `\` (code pages 932 and 949), ∕ ∖ ⁄ ⧵ ⧸ ⧹ ╱ ╲
 * become `/` or `\`.
 */
const BEST_FIT = /[\u00a5\u20a9\u2215\u2216\u2044\u29f5\u29f8\u29f9\u2571\u2572]/;

/**
 * The checks made once for the whole path with native string functions (so an 8 KB path of escaped
 * characters costs about what a plain one does). NFKC works character by character here (no ASCII
 * ever composes), so the characters can be checked together.
 *
 * @example
 * compatibilityProblem([0xff0e], []) // 'compatibility-character' (FULLWIDTH FULL STOP → '.')
 * compatibilityProblem([0xe9], [])   // undefined ('é')
 */
export function compatibilityProblem(
  points: readonly number[],
  afterStructure: readonly number[],
): 'compatibility-character' | undefined {
  const text = String.fromCodePoint(...points);
  const normal = text.normalize('NFKC');
  const bad =
    INVISIBLE.test(text) ||
    BEST_FIT.test(text) ||
    (afterStructure.length > 0 && MARK.test(String.fromCodePoint(...afterStructure))) ||
    (normal !== text && STRUCTURE.test(normal));
  return bad ? 'compatibility-character' : undefined;
}
